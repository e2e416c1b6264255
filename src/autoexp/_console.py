"""Printing text that autoexp did not write (task text, ids, paths, commands, model replies,
agent output, error messages) on a rich Console, where `[...]` would be read as markup."""

from __future__ import annotations

from rich.markup import escape


def plain(value: object) -> str:
    """`value` as text that a rich Console (or a Table cell) prints verbatim: its markup escaped,
    so `X[rng.integers(n)]` or `[bold]` come out as written."""
    return escape(str(value))
