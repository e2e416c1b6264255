"""A generated task with a large repository (bench_prepare, bench_agentless_prompt): `files`
Python modules of about `megabytes` MB, MASKED functions to mask in different files, and a
run.py whose `pipeline` calls them."""

from __future__ import annotations

from pathlib import Path

MASKED = 3
"""Functions masked per attempt (in different files)."""

_COMMON = '''from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Record:
    """A row of the data set."""

    key: int
    value: float
'''

_FUNCTION = '''

def transform_{f}_{i}(values: list[float], scale: float = {s}) -> list[float]:
    """Scale, shift and clip the values of block {f}.{i}."""
    out = []
    for position, value in enumerate(values):
        shifted = value * scale + {i} * 0.5 - position / {d}
        if shifted > {s} * 10:
            shifted = math.log1p(shifted) + {f}
        out.append(round(shifted, {r}))
    total_{f}_{i} = sum(out) / max(1, len(out))
    return [v - total_{f}_{i} for v in out]
'''


def make_task(root: Path, files: int, megabytes: float) -> Path:
    """A task directory with `files` Python modules of about `megabytes` MB in total."""
    code = root / "code"
    per_file = int(megabytes * 1e6 / files)
    block = len(_FUNCTION.format(f=0, i=0, s=1.5, d=7, r=4))
    blocks = max(1, (per_file - len(_COMMON)) // block)
    for f in range(files):
        d = code / "pkg" / f"part{f % 20:02d}"
        d.mkdir(parents=True, exist_ok=True)
        text = _COMMON + "".join(
            _FUNCTION.format(f=f, i=i, s=1.5 + i % 3, d=7 + f % 5, r=4) for i in range(blocks)
        )
        (d / f"mod_{f:04d}.py").write_text(text, encoding="utf-8")
    ids = [f"pkg/part{f % 20:02d}/mod_{f:04d}.py::transform_{f}_0" for f in range(MASKED)]
    imports = "".join(
        f"from pkg.part{f % 20:02d}.mod_{f:04d} import transform_{f}_0\n" for f in range(MASKED)
    )
    calls = "".join(f"    values = transform_{f}_0(values)\n" for f in range(MASKED))
    (code / "run.py").write_text(  # the masked functions' caller
        f"{imports}\n\ndef pipeline(values):\n{calls}    return values\n\n\n"
        "print('{\"x\": 1.0}')\n",
        encoding="utf-8",
    )
    functions = "".join(f"  - id: {fid}\n    description: Scale and shift.\n" for fid in ids)
    (root / "task.yaml").write_text(
        "schema: 1\nid: large-repo\ntitle: A large generated repository\nexperiments:\n"
        "  - id: e\n    description: Run it.\n    command: python run.py\n    metrics:\n"
        f"      x: {{expected: 1.0}}\n    depends_on: [{', '.join(ids)}]\nfunctions:\n{functions}",
        encoding="utf-8",
    )
    (root / "paper.md").write_text("A paper about transforms.\n" * 50, encoding="utf-8")
    return root
