"""Masking: locate functions by parsing, mask their bodies, put bodies back, build the grading
copy, draw combos and check that nothing of the masked code leaks into a workspace.

Functions are addressed as `path/to/file.py::name` or `path/to/file.py::Outer.Inner.method`.
A body has two forms: *raw* (exactly as in the file, what `extract_body` returns and
`restore_bodies` takes; byte-exact) and *dedented* (column 0, what `replace_body` takes and
`body_of_def` / `masked_body` return).
"""

from autoexp.masking._combos import draw_combos
from autoexp.masking._leaks import MIN_LINE_CHARS, Leak, LeakKind, ensure_no_leaks, leak_check
from autoexp.masking._locate import FunctionSpan, extract_body, list_functions, locate
from autoexp.masking._mask import (
    body_of_def,
    dedent_body,
    mask_source,
    masked_body,
    put_bodies,
    replace_body,
)
from autoexp.masking._tree import (
    MaskedTree,
    MergeResult,
    copy_code,
    mask_tree,
    merge_for_grading,
    restore_bodies,
)

__all__ = [
    "MIN_LINE_CHARS",
    "FunctionSpan",
    "Leak",
    "LeakKind",
    "MaskedTree",
    "MergeResult",
    "body_of_def",
    "copy_code",
    "dedent_body",
    "draw_combos",
    "ensure_no_leaks",
    "extract_body",
    "leak_check",
    "list_functions",
    "locate",
    "mask_source",
    "mask_tree",
    "masked_body",
    "merge_for_grading",
    "put_bodies",
    "replace_body",
    "restore_bodies",
]
