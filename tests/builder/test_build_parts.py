"""The pure parts of `autoexp build`: metrics found in output, tolerances from repeated runs,
knobs of entry points and their variants, which functions are proposed, experiment ids."""

from __future__ import annotations

import pytest

from autoexp.builder import (
    CommandProfile,
    FoundMetric,
    FunctionCalls,
    Knob,
    calibrate,
    choose_functions,
    experiment_id,
    find_knobs,
    find_metrics,
    scan_functions,
    variants,
)
from autoexp.builder._hidden import entry_file
from autoexp.builder._propose import judge
from autoexp.builder._runs import CommandRuns
from autoexp.grading import within
from autoexp.grading._metrics import parse_metrics
from autoexp.sandbox._types import ExecResult
from autoexp.tasks import Experiment, Metric

LOG = """\
training
epoch 1 loss 0.9 acc 0.5
epoch 2 loss 0.7 acc 0.61
F1 score: 0.8, took 1.52 s
late statistic: 5.159245
  pi ~ -3.1416e-2 (n=20000)
"""


def test_text_metrics_become_regexes_that_read_the_last_value():
    found = find_metrics(LOG)
    assert found.source == "text"
    names = [m.name for m in found.metrics]
    assert names == ["epoch", "loss", "acc", "f1_score", "late_statistic", "pi", "n"]
    assert any("took" in d for d in found.dropped)  # a timing is never a metric
    metrics = {m.name: Metric(expected=m.value, rtol=1e-9, regex=m.regex) for m in found.metrics}
    got = parse_metrics(LOG, metrics)  # read back exactly as grading reads them
    assert got == {m.name: m.value for m in found.metrics}
    assert got["loss"] == 0.7 and got["pi"] == -0.031416 and got["n"] == 20000
    assert [m.integer for m in found.metrics] == [True, False, False, False, False, False, True]


def test_json_metrics_come_from_the_last_json_line():
    out = 'log {"a": 9}\n{"acc": 0.9, "n": 12, "t_seconds": 3.2, "ok": true, "per": {"x": 1}}\n'
    found = find_metrics(out)
    assert found.source == "json"
    assert [(m.name, m.value, m.integer, m.regex) for m in found.metrics] == [
        ("acc", 0.9, False, None),
        ("n", 12.0, True, None),
    ]
    assert len(found.dropped) == 2  # the timing and the nested object


def test_deterministic_metrics_get_tight_tolerances():
    m, s = calibrate([0.8123, 0.8123, 0.8123], integer=False)
    assert (m.expected, m.rtol, m.atol, s.noisy) == (0.8123, 1e-4, 0.0, False)
    m, _ = calibrate([2936.0] * 3, integer=True)
    assert (m.rtol, m.atol) == (0.0, 0.5)
    m, _ = calibrate([0.0, 0.0], integer=False)
    assert m.atol > 0  # a zero target needs an absolute tolerance


def test_noisy_metrics_get_tolerances_that_hold_their_runs():
    runs = [3.1412, 3.1336, 3.1502, 3.1388, 3.1460]
    m, s = calibrate(runs, integer=False)
    assert s.noisy and s.spread == pytest.approx(0.0166)
    assert all(within(v, m) for v in runs)
    assert m.rtol * abs(m.expected) == pytest.approx(4 * 0.0166, rel=0.05)
    m, _ = calibrate([-0.01, 0.012, 0.003], integer=False)  # about zero: absolute
    assert m.rtol == 0.0 and m.atol >= 4 * 0.022


ENTRY = """
import argparse, os, click, typer
ap = argparse.ArgumentParser()
ap.add_argument("--exp", choices=["a", "b"])
ap.add_argument("--data-seed", type=int, default=0)
ap.add_argument("--n-train", type=int, default=200)
ap.add_argument("--lr", type=float, default=0.1)
ap.add_argument("--verbose", action="store_true")
SEED = int(os.environ.get("RUN_SEED", "3"))

@click.option("--init-seed", default=5)
def cli(init_seed): ...

app = typer.Typer()
@app.command()
def main(n_samples: int = 100, shuffle_seed: int = typer.Option(2)): ...
"""


def test_knobs_are_found_in_argparse_click_typer_and_the_environment(tmp_path):
    (tmp_path / "run.py").write_text(ENTRY)
    knobs = {k.name: (k.kind, k.default) for k in find_knobs(tmp_path, ["run.py"])}
    assert knobs == {
        "--data-seed": ("seed", 0.0),
        "--init-seed": ("seed", 5.0),
        "--shuffle-seed": ("seed", 2.0),
        "--n-samples": ("size", 100.0),
        "--n-train": ("size", 200.0),
        "RUN_SEED": ("seed", 3.0),
    }  # not the experiment choice, a flag or a learning rate
    assert entry_file("python -u run.py --exp a", tmp_path) == "run.py"
    assert entry_file("cd x && python3 missing.py", tmp_path) is None


def test_variants_turn_one_knob_in_the_command(tmp_path):
    (tmp_path / "run.py").write_text(ENTRY)
    knobs = find_knobs(tmp_path, ["run.py"])
    per_knob = variants("a", "python run.py --exp a --data-seed 4", knobs)
    commands = {v.command for tries in per_knob for v in tries}
    assert "python run.py --exp a --data-seed 5" in commands  # the given value, turned
    assert "python run.py --exp a --data-seed 4 --n-train 150" in commands
    assert "RUN_SEED=4 python run.py --exp a --data-seed 4" in commands
    env = next(t for t in per_knob if t[0].knob.env)
    assert [v.id for v in env] == ["a-run-seed4", "a-run-seed10"]


CODE = '''
def work(xs):
    """Sum of squares."""
    total = 0
    for x in xs:
        total += x * x
    return total

def one_liner(X, C):
    return np.argmin(dists(X, C), axis=1)

def getter(self):
    return self._k

def dead(xs):
    a = 1
    b = 2
    return a + b

class Model:
    def fit(self, X):
        self.mu = X.mean()
        self.sd = X.std()
        return self
'''


def test_functions_proposed_are_executed_non_trivial_and_not_tests(tmp_path):
    (tmp_path / "lib.py").write_text(CODE)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_lib.py").write_text("def test_work():\n    a = 1\n    b = 2\n")
    infos = scan_functions(tmp_path)
    assert (
        infos["lib.py::work"].docstring == "Sum of squares."
        and infos["lib.py::work"].statements == 4
    )
    ran = {
        fid: FunctionCalls(calls=1)
        for fid in ("lib.py::work", "lib.py::one_liner", "lib.py::getter", "lib.py::Model.fit",
                    "tests/test_lib.py::test_work")
    }  # fmt: skip
    cands = {c.id: c for c in choose_functions(infos, {"e": ran}, set())}
    chosen = [c for c in cands if cands[c].chosen]
    assert set(chosen) == {"lib.py::work", "lib.py::one_liner", "lib.py::Model.fit"}
    assert "trivial" in cands["lib.py::getter"].reason
    assert "dead code" in cands["lib.py::dead"].reason
    assert cands["tests/test_lib.py::test_work"].reason == "test code"
    only = choose_functions(infos, {"e": ran}, set(), override=["lib.py::getter"])
    assert [c.id for c in only if c.chosen] == ["lib.py::getter"]


def test_experiment_ids_come_from_the_command():
    taken: set[str] = set()
    ids = [
        experiment_id(c, taken)
        for c in ("python main.py --exp a", "python main.py --exp=a", "python late.py",
                  "python run.py --lr 0.1 --Big", "bash go.sh")
    ]  # fmt: skip
    assert ids == ["a", "a-2", "late", "lr-0.1-big", "go.sh"]


def _runs(command: str, outputs: list[str], functions: list[str]) -> CommandRuns:
    def res(out: str) -> ExecResult:
        return ExecResult(command=command, exit_code=0, stdout=out, stderr="")

    profile = CommandProfile(
        command=command,
        result=res(outputs[0]),
        functions={f: FunctionCalls(calls=1) for f in functions},
    )
    return CommandRuns(command=command, profile=profile, plain=[res(o) for o in outputs])


def test_a_variant_is_kept_when_it_differs_and_the_paper_does_not_print_it():
    exp = Experiment(
        id="fit",
        description="d",
        command="python main.py --exp fit",
        metrics={"acc": Metric(expected=1.0, rtol=1e-4), "loss": Metric(expected=0.5, rtol=1e-4)},
        depends_on=["m.py::f"],
    )
    found = [
        FoundMetric(name="acc", value=1.0, integer=False),
        FoundMetric(name="loss", value=0.5, integer=False),
    ]
    (knob,) = variants("fit", exp.command, [Knob(kind="seed", flag="--seed", default=0)])
    v = knob[0]
    paper = "The fit reaches an accuracy of 1.000 and a loss of 0.5000."
    out = '{"acc": 1.0, "loss": 0.4321}'
    hidden, spread, why = judge(
        exp, v, _runs(v.command, [out, out], ["m.py::f"]), found, ["m.py::f"], paper
    )
    assert why == "" and hidden is not None and spread is not None
    assert list(hidden.metrics) == ["loss"]  # the unchanged accuracy is printed in the paper
    assert hidden.command == "python main.py --exp fit --seed 1" and hidden.depends_on == []
    same = '{"acc": 1.0, "loss": 0.50001}'
    _, _, why = judge(
        exp, v, _runs(v.command, [same, same], ["m.py::f"]), found, ["m.py::f"], paper
    )
    assert "within tolerance" in why
    _, _, why = judge(exp, v, _runs(v.command, [out, out], ["m.py::g"]), found, ["m.py::f"], paper)
    assert why == "executes no maskable function"
    leak = '{"acc": 1.0, "loss": 0.4321}'
    _, _, why = judge(
        exp, v, _runs(v.command, [leak], ["m.py::f"]), found, ["m.py::f"], paper + " 0.4321"
    )
    assert "paper prints" in why
