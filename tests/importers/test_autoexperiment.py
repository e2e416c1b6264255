"""Issue 13: importing the AutoExperiment dataset format (fixtures under
tests/data/autoexperiment/, written in that format)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from autoexp.cli import app
from autoexp.importers import import_autoexperiment, read_dataset
from autoexp.masking import mask_tree
from autoexp.tasks import load_task

DATA = Path(__file__).resolve().parents[1] / "data" / "autoexperiment"
GOOD = DATA / "good"
BROKEN = DATA / "broken"
QUANT = "2101.00001"
LINFIT = "2101.00002"


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    out = tmp_path_factory.mktemp("imported")
    return import_autoexperiment(GOOD, out), out


def _messages(summary, severity: str) -> list[str]:
    return [str(p) for p in summary.problems if p.severity.value == severity]


def test_the_good_dataset_imports_with_its_counts(good):
    summary, out = good
    assert summary.errors == 0, _messages(summary, "error")
    assert summary.papers == 2 and len(summary.tasks) == 2
    assert (summary.functions, summary.experiments, summary.needs_extraction) == (7, 4, 1)
    assert summary.combos == {0: 2, 1: 4, 2: 2}
    assert (out / "import.json").is_file()


def test_functions_are_resolved_by_parsing_not_by_line_numbers(good):
    _, out = good
    task = load_task(out / QUANT)
    assert [f.id for f in task.spec.functions] == [
        "quant.py::Encoder.__call__",  # listed first, defined after func 1 in the file
        "quant.py::Codebook.__init__",  # header_line points at `class Codebook:`
        "quant.py::distortion",  # stale lines, shifted by 3
        "quant.py::update",
        "quant.py::Codebook.__call__",  # the other __call__ of the file
    ]
    excerpt = task.function("quant.py::Codebook.__init__").paper_excerpt
    assert excerpt and "codebook" in excerpt
    linfit = load_task(out / LINFIT)  # string line numbers
    assert [f.id for f in linfit.spec.functions] == ["linfit.py::fit", "linfit.py::mse"]


def test_every_disagreeing_line_record_and_gold_value_is_reported(good):
    summary, _ = good
    warnings = "\n".join(_messages(summary, "warning"))
    assert f"{QUANT}/functions.jsonl:2: func_id '1' (__init__): recorded lines" in warnings
    assert "header_line is the enclosing class line" in warnings
    assert f"{QUANT}/functions.jsonl:3: func_id '2' (distortion)" in warnings
    assert "shifted by +3" in warnings
    assert "functions.jsonl:1:" not in warnings and "functions.jsonl:4:" not in warnings
    assert "gold value of 'empty_clusters' is 0" in warnings
    assert "gold value of 'bias' is negative" in warnings
    # the CSV copy disagrees with the JSONL one on func 2's lines: both places are named
    assert f"mlrc_funcs.csv:4: func_id '2': header_line is 31 here but 34 in {QUANT}" in warnings


def test_experiments_combos_rule_and_needs_are_in_task_yaml(good):
    _, out = good
    task = load_task(out / QUANT)
    exps = {e.id: e for e in task.spec.experiments}
    assert set(exps) == {"0", "1", "2"}
    assert exps["0"].command == "python run.py --exp train"
    assert exps["0"].metrics["last_distortion_loss"].expected == 0.265017
    assert exps["1"].metrics["empty_clusters"].atol > 0  # zero gold needs an atol
    assert exps["2"].depends_on == []  # empty func_dependencies
    assert not any(e.needs_extraction for e in exps.values())
    assert task.spec.rule is not None and task.spec.rule.max == 0.05
    assert [len(c) for c in task.spec.combos] == [0, 1, 1, 1, 2]
    assert ["quant.py::Codebook.__init__", "quant.py::distortion"] in task.spec.combos
    assert task.spec.origin.repository == "https://example.org/tiny-quant"
    assert task.spec.needs.conda_env == "quant-env" and task.spec.needs.gpus == 0
    assert task.spec.hidden_experiments == []
    linfit = load_task(out / LINFIT)
    assert [e.needs_extraction for e in linfit.spec.experiments] == [True]  # free-form output


def test_masking_every_imported_function_gives_compiling_code(good, tmp_path):
    _, out = good
    for name in (QUANT, LINFIT):
        task = load_task(out / name)
        masked = mask_tree(
            task.code_dir, tmp_path / name, [(f.id, f.description) for f in task.spec.functions]
        )
        for path in masked.masked_files:
            text = (masked.root / path).read_text(encoding="utf-8")
            compile(text, path, "exec")
            assert text.count("raise NotImplementedError") == sum(
                f.path == path for f in task.spec.functions
            )


def test_the_csv_form_alone_is_accepted(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(GOOD, src)
    (src / LINFIT / "functions.jsonl").unlink()
    summary = import_autoexperiment(src, tmp_path / "out")
    assert summary.errors == 0
    assert f"warning: {LINFIT}/functions.jsonl: missing; using the rows of mlrc_funcs.csv" in [
        str(p) for p in summary.problems
    ]
    assert [f.id for f in load_task(tmp_path / "out" / LINFIT).spec.functions] == [
        "linfit.py::fit",
        "linfit.py::mse",
    ]


def test_broken_input_names_file_and_line_and_the_rest_imports(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app, ["import", "autoexperiment", str(BROKEN), "--out", str(out)], terminal_width=250
    )
    assert res.exit_code == 1, res.output
    text = res.output
    expected = [
        "error: 2102.00001/functions.jsonl:2: not valid JSON",
        "error: 2102.00001/functions.jsonl:3: func_id '2' (__call__): '__call__' is defined "
        "several times in layers.py",
        "warning: 2102.00001/functions.jsonl:3: func_id '2' (__call__): line 400 is outside "
        "layers.py (26 lines)",
        "error: 2102.00001/functions.jsonl:4: func_id '3' (forward): file missing.py does not "
        "exist in code/",
        "error: 2102.00001/functions.jsonl:5: func_id '4' (backward): no function named",
        "error: 2102.00001/functions.jsonl:6: not a JSON object (list)",
        "error: 2102.00001/functions.jsonl:7: name: missing",
        "warning: 2102.00001/functions.jsonl:8: func_id '6' (__init__): line 1000 is outside",
        "error: 2102.00001/experiments.jsonl:2: exp_id '1': result is not valid JSON",
        "error: 2102.00001/experiments.jsonl:3: not valid JSON",
        "error: 2102.00001/experiments.jsonl:4: exp_id '3': no command",
        "warning: 2102.00001/experiments.jsonl:1: exp_id '0': depends on func_id '2', which "
        "was not imported",
        "error: 2102.00002/functions.jsonl: missing",
        "error: 2102.00002/experiments.jsonl: missing",
        "error: 2102.00002: no experiment could be imported; paper left out",
        "error: 2102.00003: code/ is missing; paper left out",
        "error: mlrc_n=1.jsonl:2: not valid JSON",
        "error: mlrc_n=1.jsonl:3: combo 2 of 2102.00001: func_ids ['2'] were not imported",
        "error: mlrc_n=1.jsonl:4: combo of unknown paper '9999.99999'",
    ]
    missing = [e for e in expected if e not in text]
    assert missing == [], text
    assert "papers: 3 found, 1 imported" in text
    task = load_task(out / "2102.00001")
    assert [f.id for f in task.spec.functions] == [
        "layers.py::compose",
        "layers.py::Scale.__init__",
    ]
    assert [e.id for e in task.spec.experiments] == ["0"]
    assert task.spec.combos == [["layers.py::compose"]]
    assert not (out / "2102.00002").exists() and not (out / "2102.00003").exists()


def test_a_root_that_is_not_a_dataset_is_a_clear_error(tmp_path):
    res = CliRunner().invoke(
        app, ["import", "autoexperiment", str(tmp_path), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2 and "holds no paper folder" in res.output


def test_an_existing_task_is_not_overwritten_without_asking(tmp_path):
    import_autoexperiment(GOOD, tmp_path)
    again = import_autoexperiment(GOOD, tmp_path)
    assert again.tasks == [] and "exists (give --overwrite" in str(again.problems[-1])


def test_reading_keeps_records_in_file_order():
    ds = read_dataset(GOOD)
    assert [f.func_id for f in ds.papers[QUANT].functions] == ["0", "1", "2", "3", "4"]
    assert ds.papers[LINFIT].functions[0].header_line == 4  # given as the string "4"
    assert sorted(ds.combos) == [0, 1, 2]


def test_tasks_show_says_what_an_imported_task_carries(good):
    _, out = good
    res = CliRunner().invoke(app, ["tasks", "show", str(out / QUANT)], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "published combos: 5 (n = 0, 1, 2)" in res.output
    assert "pass rule: mean relative error <= 0.05" in res.output
    assert "needs: conda env quant-env" in res.output
    assert f"imported from autoexperiment, paper {QUANT}" in res.output
    res = CliRunner().invoke(app, ["tasks", "show", str(out / LINFIT)], terminal_width=200)
    assert "metrics to extract (graded on reported numbers until then)" in res.output
