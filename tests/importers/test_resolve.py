"""Issue 13: resolving recorded functions by parsing, the line numbers only as a hint."""

from __future__ import annotations

import pytest

from autoexp.importers import resolve
from autoexp.importers._types import FunctionRecord
from autoexp.tasks import TaskSpec

SOURCE = '''\
class A:
    @property
    def value(self):
        return 1

    @value.setter
    def value(self, v):
        pass

    def step(self):
        """Move forward by one."""
        return 1


class B:
    def step(self):
        """Move backward by one."""
        return -1
'''


def _rec(name: str, header=None, start=None, end=None, description="") -> FunctionRecord:
    return FunctionRecord(
        paper_id="p",
        func_id="0",
        file="m.py",
        name=name,
        header_line=header,
        line_start=start,
        line_end=end,
        description=description,
        at_file="p/functions.jsonl",
        at_line=1,
    )


@pytest.fixture
def code(tmp_path):
    (tmp_path / "m.py").write_text(SOURCE)
    return tmp_path


def test_the_recorded_def_line_picks_among_same_named_methods(code):
    res = resolve(_rec("step", 16, 17, 18), code)
    assert res.function_id == "m.py::B.step" and res.problems == []


def test_without_lines_the_description_picks_and_a_tie_is_an_error(code):
    assert resolve(_rec("step", description="move backward"), code).function_id == "m.py::B.step"
    tie = resolve(_rec("step"), code)
    assert tie.function_id is None
    assert "is defined several times in m.py (A.step, B.step)" in str(tie.problems[0])


def test_a_name_defined_twice_at_one_place_cannot_be_addressed(code):
    res = resolve(_rec("value", 3, 4, 4), code)
    assert res.function_id is None
    assert "m.py::A.value is defined 2 times" in str(res.problems[0])


def test_a_qualified_name_and_a_code_prefix_are_accepted(code):
    rec = _rec("A.step").model_copy(update={"file": "./code/m.py"})
    assert resolve(rec, code).function_id == "m.py::A.step"


def test_a_path_outside_code_is_refused(code):
    rec = _rec("step").model_copy(update={"file": "../m.py"})
    assert "is not a relative path inside code/" in str(resolve(rec, code).problems[0])


def test_fixed_combos_must_name_known_functions():
    base = {
        "schema": 1,
        "id": "t",
        "title": "t",
        "experiments": [
            {"id": "e", "description": "d", "command": "c", "metrics": {"m": {"expected": 1}}}
        ],
        "functions": [{"id": "a.py::f", "description": "f"}],
    }
    assert TaskSpec.model_validate({**base, "combos": [[], ["a.py::f"]]}).combos[1] == ["a.py::f"]
    with pytest.raises(ValueError, match=r"combos.0: \['a.py::g'\] are not in functions"):
        TaskSpec.model_validate({**base, "combos": [["a.py::g"]]})


def test_a_nested_function_is_named_as_such(tmp_path):
    (tmp_path / "m.py").write_text(
        "def outer():\n    def inner():\n        return 1\n    return inner\n"
    )
    res = resolve(_rec("inner", 2, 3, 3), tmp_path)
    assert res.function_id is None
    assert "a nested function cannot be masked" in str(res.problems[0])
