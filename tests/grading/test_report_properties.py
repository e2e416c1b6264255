"""Property-based tests of what agents and experiments hand back: `parse_report` on any value,
text or bytes never raises and either returns finite numbers or a short reason; reading metrics
from any stdout never raises and finds the metrics line printed last."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoexp.agents import Budget
from autoexp.agents._meter import Meter
from autoexp.agents._tools import Toolbox
from autoexp.grading import last_json_object, parse_metrics, parse_report
from autoexp.tasks import Metric

pytestmark = pytest.mark.bad_input

BAD_INPUT = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Fast and deterministic in CI: the same examples on every run."""

MAX_MESSAGE = 500
"""No reason parse_report gives is longer than this, whatever the submission."""


def _huge(spec: tuple[int, int]) -> int:
    """sign * 10**exponent, built lazily (hypothesis cannot repr an int of > 4300 digits)."""
    sign, exponent = spec
    return sign * 10**exponent


def _numbers(exponents: list[int]) -> st.SearchStrategy:
    return st.one_of(
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.tuples(st.sampled_from([1, -1]), st.sampled_from(exponents)).map(_huge),
    )


def _json_values(numbers: st.SearchStrategy) -> st.SearchStrategy:
    scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=40))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)
        ),
        max_leaves=20,
    )


def _reports(numbers: st.SearchStrategy) -> st.SearchStrategy:
    metric_values = st.one_of(
        numbers,
        st.sampled_from(["1.5", " 2 ", "nan", "inf", "-Infinity", "1e999", "0x10", "1_0", ""]),
        _json_values(numbers),
    )
    return st.dictionaries(
        st.text(max_size=12),
        st.one_of(
            st.dictionaries(st.text(max_size=12), metric_values, max_size=4),
            _json_values(numbers),
        ),
        max_size=4,
    )


numbers = _numbers([20, 309, 400, 5000])
"""Numbers as decoded values, up to ints too long for str() (> 4300 digits)."""
dumpable = _numbers([20, 309, 400, 4000])
"""Numbers json.dumps can write (ints of more than 4300 digits come as text, below)."""
json_values = _json_values(numbers)
reports = _reports(numbers)
"""Submissions shaped like a report (experiment -> metric -> value), often subtly wrong."""


def _nested(depth: int, kind: str) -> str:
    opening, closing = {"list": ("[", "]"), "object": ('{"a":', "}")}[kind]
    return opening * depth + "1" + closing * depth


nasty_texts = st.one_of(
    st.sampled_from(
        [
            "",
            " \n\t",
            "null",
            "NaN",
            '{"e": {"x": NaN}}',
            '{"e": {"x": Infinity}}',
            '{"e": {"x": -Infinity}}',
            '{"e": {"x": 1e999}}',
            '{"e": {"x": ' + "9" * 400 + "}}",
            '{"e": {"x": ' + "9" * 5000 + "}}",
            '{"e": {"' + "k" * 100_000 + '": "' + "v" * 100_000 + '"}}',
            '{"e": {"x": "' + "7" * 100_000 + '"}}',
            '{"e": {"x": 1}, "e": {"x": "dup"}}',
            '{"e": {"x": 1}}garbage',
            "\ufeff{}",
            '{"e": {"x": "\\ud800"}}',
        ]
    ),
    st.tuples(st.integers(1, 200_000), st.sampled_from(["list", "object"])).map(
        lambda t: _nested(*t)
    ),
    st.tuples(st.integers(1, 200_000), st.sampled_from(["list", "object"])).map(
        lambda t: '{"e": ' + _nested(*t) + "}"
    ),
    _json_values(dumpable).map(lambda v: json.dumps(v, allow_nan=True)),
    _reports(dumpable).map(lambda v: json.dumps(v, allow_nan=True)),
    st.text(max_size=300),
)


def _check_report(raw: Any) -> None:
    results, why = parse_report(raw)
    if results is None:
        if raw is None:
            assert why is None
            return
        assert isinstance(why, str) and why, (raw, why)
        assert len(why) < MAX_MESSAGE, why[:2000]
        assert "Traceback" not in why
        return
    assert why is None
    assert isinstance(results, dict)
    for exp_id, row in results.items():
        assert isinstance(exp_id, str) and isinstance(row, dict)
        for name, value in row.items():
            assert isinstance(name, str)
            assert type(value) is float and math.isfinite(value), (exp_id, name, value)


@BAD_INPUT
@given(st.one_of(json_values, reports))
def test_parse_report_on_decoded_values(raw):
    _check_report(raw)


@BAD_INPUT
@given(nasty_texts)
def test_parse_report_on_text(text):
    _check_report(text)


@BAD_INPUT
@given(st.one_of(st.binary(max_size=500), nasty_texts.map(lambda t: t.encode("utf-8", "replace"))))
def test_parse_report_on_bytes(data):
    _check_report(data)


@BAD_INPUT
@given(_reports(dumpable))
def test_parse_report_keeps_every_finite_number(raw):
    """When it accepts a submission, it keeps every experiment and metric, as floats."""
    results, _why = parse_report(json.dumps(raw, allow_nan=True))
    if results is not None:
        assert set(results) == set(raw)
        for exp_id, row in results.items():
            assert set(row) == set(raw[exp_id])


@BAD_INPUT
@given(
    st.one_of(
        nasty_texts.map(lambda t: '{"results": ' + t + "}"),
        nasty_texts,
        _json_values(numbers).map(lambda v: {"results": v}),
        reports.map(lambda v: {"results": v}),
    )
)
def test_submit_tool_turns_any_arguments_into_results_or_a_short_error(args):
    """A model's `submit` call (arguments as JSON text or decoded) never raises: the results
    are finite floats, or the model gets a short error to correct."""
    box = Toolbox(Path("/nonexistent"), None, Meter(Budget()))  # submit touches neither
    out = box.call("submit", args)
    if out.error:
        assert out.output.startswith("Error: ") and len(out.output) < MAX_MESSAGE + 200, out
        assert out.submitted is None
    else:
        for row in out.submitted.values():
            assert all(type(v) is float and math.isfinite(v) for v in row.values())


# --- metrics from an experiment's stdout -----------------------------------------------------

METRICS = {
    "acc": Metric(expected=0.9, rtol=0.01),
    "loss": Metric(expected=1.0, atol=0.1),
    "n": Metric(expected=3.0, atol=0.5, regex=r"^n = (\S+)$"),
}
noise_lines = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "{",
            "}",
            "{}",
            "{not json}",
            '{"acc": 0.1}',
            "[1, 2]",
            '{"acc": NaN, "loss": Infinity}',
            '{"acc": ' + "9" * 5000 + "}",
            '{"acc": ' + "9" * 400 + "}",
            "{" + '"a":{' * 100_000 + "}" * 100_001,
            "{" + '"a":[' * 100_000 + "]" * 100_000 + "}",
            "n = 7",
            "n = nan",
            "n = " + "9" * 5000,
            "Traceback (most recent call last):",
            "\x00\x1b[31m\r",
        ]
    ),
)
stdouts = st.lists(noise_lines, max_size=20).map("\n".join)
finite = st.floats(allow_nan=False, allow_infinity=False)


@BAD_INPUT
@given(stdouts)
def test_reading_metrics_from_any_output_never_raises(stdout):
    obj = last_json_object(stdout)
    assert obj is None or isinstance(obj, dict)
    values = parse_metrics(stdout, METRICS)
    assert set(values) == set(METRICS)
    assert all(v is None or type(v) is float for v in values.values())


@BAD_INPUT
@given(stdouts, finite, finite, st.booleans())
def test_the_metrics_line_printed_last_is_read(noise, acc, loss, trailing_noise):
    """Whatever came before, a JSON object printed last gives its values back; trailing
    lines that are not JSON objects do not hide it."""
    line = json.dumps({"acc": acc, "loss": loss})
    stdout = f"{noise}\n{line}\n"
    if trailing_noise:
        stdout += "done\n  \n[1, 2]\n{not json}\n"
    assert last_json_object(stdout) == {"acc": acc, "loss": loss}
    values = parse_metrics(stdout, METRICS)
    assert values["acc"] == acc and values["loss"] == loss


@BAD_INPUT
@given(stdouts, finite)
def test_the_last_regex_match_is_read(noise, n):
    stdout = f"{noise}\nn = {n!r}\n"
    assert parse_metrics(stdout, METRICS)["n"] == n
