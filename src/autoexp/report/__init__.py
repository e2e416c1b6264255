"""Report: statistics, the run summary (SQL over results.sqlite), plots and the HTML viewer."""

from autoexp.report import stats
from autoexp.report._html import write_report
from autoexp.report._models import SUMMARY_SCHEMA, FunctionStat, Summary, SummaryRow
from autoexp.report._stats import pass_at_k, pass_hat_k, wilson_interval
from autoexp.report._summary import summary
from autoexp.report._table import render_summary_table

__all__ = [
    "SUMMARY_SCHEMA",
    "FunctionStat",
    "Summary",
    "SummaryRow",
    "pass_at_k",
    "pass_hat_k",
    "render_summary_table",
    "stats",
    "summary",
    "wilson_interval",
    "write_report",
]
