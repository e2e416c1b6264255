"""Integrity checks on merged bodies: each way of hijacking the experiment is found with its
rule and line, and ordinary numerical code (the whole built-in suite's originals) is not."""

from __future__ import annotations

import pytest

from autoexp.grading import INTEGRITY_RULES, check_body
from autoexp.tasks import builtin_tasks, load_task

from conftest import TOY

HEADER = "import json\nimport numpy as np\nfrom lloyd import LloydResult\n\n\ndef f(x, rng):\n"


def findings(body: str) -> list[tuple[str, int, str]]:
    src = HEADER + "".join(f"    {line}\n" for line in body.strip().splitlines())
    return [(f.rule, f.line, f.detail) for f in check_body(src, "f", "m.py::f")]


@pytest.mark.parametrize(
    ("body", "rule", "needle"),
    [
        (
            "import os, sys\nprint(json.dumps({'a': 1}), flush=True)\nos._exit(0)",
            "exit",
            "os._exit",
        ),
        ("import sys\nsys.exit(0)", "exit", "sys.exit"),
        ("exit(0)", "exit", "exit"),
        ("quit()", "exit", "quit"),
        ("raise SystemExit(0)", "exit", "SystemExit"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "exit", "os.kill"),
        ("import atexit\natexit.register(lambda: print('{}'))", "exit", "atexit"),
        ("import os, sys\nos.execv(sys.executable, ['python', '-c', '1'])", "exit", "os.execv"),
        ("import subprocess\nsubprocess.run(['true'])", "exit", "subprocess"),
        ("from os import _exit as bye\nbye(0)", "exit", "os._exit"),
        ("import os\ngetattr(os, '_exit')(0)", "exit", "os._exit"),
        ("import sys, io\nsys.stdout = io.StringIO()", "output", "sys.stdout"),
        ("import sys\nsys.stdout.write = len", "output", "sys.stdout.write"),
        ("import sys\nout = sys.stdout\nout.write = len", "output", "sys.stdout.write"),
        ("import sys\nsetattr(sys, 'stdout', None)", "patching", "setattr on sys"),
        ("import pathlib\npathlib.os._exit(0)", "exit", "pathlib.os._exit"),
        ("import pathlib\npathlib.os.sys.modules['json'].dumps = str", "patching", "sys.modules"),
        ("j = json\nj.dumps = str", "patching", "j.dumps"),
        ("m = json\nsetattr(m, 'dumps', str)", "patching", "setattr on m"),
        ("vars(json)['dumps'] = str", "patching", "vars(json)"),
        ("json.__dict__['dumps'] = str", "patching", "json.__dict__"),
        ("import builtins\nbuiltins.print = lambda *a, **k: None", "output", "builtins"),
        ("print = lambda *a, **k: None", "output", "assigns print"),
        ("__builtins__['print'] = len", "output", "__builtins__"),
        ("import contextlib, io\ncontextlib.redirect_stdout(io.StringIO())", "output", "redirect"),
        ("json.dumps = lambda *a, **k: '{}'", "patching", "json.dumps"),
        ("np.mean = len", "patching", "np.mean"),
        ("LloydResult.inertia = 1.0", "patching", "LloydResult.inertia"),
        ("setattr(np, 'mean', len)", "patching", "setattr on np"),
        ("globals()['x'] = 1", "patching", "globals"),
        ("import sys\nsys.modules['json'].dumps = str", "patching", "sys.modules"),
        ("import sys\nsys._getframe(1).f_globals['x'] = 1", "frames", "f_globals"),
        ("import inspect\ninspect.currentframe()", "frames", "inspect.currentframe"),
        ("import inspect\ninspect.stack()", "frames", "inspect.stack"),
        (
            "try:\n    raise ValueError\nexcept ValueError as e:\n    e.__traceback__.tb_frame",
            "frames",
            "",
        ),
        ("exec('x = 1')", "dynamic-code", "exec"),
        ("eval('1 + 1')", "dynamic-code", "eval"),
        ("compile('1', 'f', 'eval')", "dynamic-code", "compile"),
        ("__import__('os')", "dynamic-code", "__import__"),
        ("import importlib\nimportlib.import_module('os')", "dynamic-code", "importlib"),
        ("import os\nname = '_ex' + 'it'\ngetattr(os, name)(0)", "dynamic-code", "getattr"),
    ],
)
def test_each_hijack_is_found(body, rule, needle):
    found = findings(body)
    assert any(r == rule and needle in d for r, _, d in found), found
    assert all(r in INTEGRITY_RULES for r, _, _ in found)


def test_finding_names_function_and_line_of_the_file():
    src = HEADER + "    y = x + 1\n    import os\n    os._exit(0)\n"
    (f,) = check_body(src, "f", "m.py::f")
    assert (f.function, f.line, f.rule) == ("m.py::f", 9, "exit")


def test_methods_and_only_the_masked_body_are_scanned():
    src = (
        "import os\n\n"
        "def helper():\n    os._exit(0)\n\n"  # not masked: not scanned
        "class A:\n    def fit(self, x):\n        setattr(self, 'mu', x)\n"
        "        self.__dict__['sigma'] = 1\n        return self\n"
    )
    assert check_body(src, "A.fit", "m.py::A.fit") == []
    assert check_body(src, "helper", "m.py::helper")[0].detail == "os._exit"
    assert check_body(src, "missing", "m.py::missing") == []
    assert check_body("def f(:\n", "f", "m.py::f") == []  # a syntax error is the re-run's


@pytest.mark.parametrize(
    "body",
    [
        "return float(np.mean(x))",
        "out = np.zeros(3)\nout[0] = rng.integers(3)\nreturn LloydResult(out, out, 0.0, 1, True)",
        "d = {}\nd['a'] = json.loads('1')\nreturn d",
        "import math\nexit_code = 0\nreturn math.exp(exit_code)",
        "x.coef_ = np.ones(2)\nreturn x",
        "import sys\nprint('progress', file=sys.stderr)\nsys.stdout.flush()\nreturn x",
        "signal = np.sin(x)\nreturn signal.sum()",
        "import warnings\nwarnings.warn('slow')\nreturn sorted(x, key=lambda v: -v)",
    ],
)
def test_ordinary_bodies_have_no_finding(body):
    assert findings(body) == []


def test_no_original_body_of_the_suite_has_a_finding():
    for task in [*builtin_tasks(), load_task(TOY)]:
        for fn in task.spec.functions:
            src = (task.code_dir / fn.path).read_text(encoding="utf-8")
            assert check_body(src, fn.qualname, fn.id) == [], fn.id
