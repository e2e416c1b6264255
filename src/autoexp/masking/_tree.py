"""Mask a whole code tree, put bodies back, and build the copy that grading re-runs."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, computed_field

from autoexp.errors import MaskingError
from autoexp.masking._locate import parse_source
from autoexp.masking._mask import mask_source, masked_body, put_bodies, replace_body
from autoexp.tasks._model import split_function_id

SKIP_DIRS = frozenset(
    {
        "__pycache__",
        ".git",
        ".hg",
        ".svn",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
    }
)
"""Directories never copied into a workspace nor compared: caches and version control."""
SKIP_SUFFIXES = (".pyc", ".pyo")
"""Files never copied into a workspace nor compared (byte-compiled code)."""
SOURCE_SUFFIXES = (".py", ".pyi", ".pyx", ".pxd", ".pth", ".so", ".c", ".cpp", ".h")
"""A new file with one of these suffixes in the agent's workspace counts as an edit outside the
masked bodies (other new files, e.g. outputs the experiments write, do not)."""


class MaskedTree(BaseModel):
    """A masked copy of a codebase."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    root: Path
    """The masked copy."""
    originals: dict[str, str]
    """Function id -> original body, raw (as `extract_body` returns it; `restore_bodies` takes
    it back)."""
    masked_files: list[str]
    """Files (relative posix paths) in which something was masked, sorted."""


class MergeResult(BaseModel):
    """The grading copy built from the original code and the agent's masked bodies."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    root: Path
    """The grading copy."""
    from_agent: list[str]
    """Function ids whose body was taken from the agent's workspace."""
    fell_back: list[str]
    """Function ids whose body could not be taken (missing file or function, file that does not
    parse) and became `raise NotImplementedError`."""
    problems: list[str] = Field(default_factory=list)
    """Why each fallback happened, one message per problem."""
    outside_edits: list[str] = Field(default_factory=list)
    """What the agent changed outside the masked bodies, e.g. `modified: data.py`,
    `added: helper.py`, `deleted: utils.py`. None of it reaches the grading copy."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def edited_outside_mask(self) -> bool:
        """True when the agent changed anything outside the masked bodies."""
        return bool(self.outside_edits)


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def _group(function_ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """file -> [(qualname, function id)], in the given order; bad or duplicate ids raise."""
    by_file: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for fid in function_ids:
        try:
            path, qual = split_function_id(fid)
        except ValueError as e:
            raise MaskingError(str(e)) from None
        parts = PurePosixPath(path).parts
        if path.startswith("/") or ".." in parts:
            raise MaskingError(f"{fid}: the file must be a relative path inside the code")
        if fid in seen:
            raise MaskingError(f"{fid}: listed twice")
        seen.add(fid)
        by_file.setdefault(path, []).append((qual, fid))
    return by_file


def _skipped(name: str, is_dir: bool) -> bool:
    return name in SKIP_DIRS if is_dir else name.endswith(SKIP_SUFFIXES)


def _ignore(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if _skipped(n, os.path.isdir(os.path.join(directory, n)))}


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise MaskingError(f"{out_dir}: must not exist or be an empty directory")


def copy_code(src: Path, dst: Path) -> None:
    """Copy a code tree without caches, version control and byte-compiled files."""
    _check_out_dir(dst)
    shutil.copytree(src, dst, ignore=_ignore, dirs_exist_ok=True, ignore_dangling_symlinks=True)


def _source_file(root: Path, path: str, fid: str) -> str:
    file = root / path
    if not file.is_file():
        raise MaskingError(f"{fid}: file {path} not found in {root}")
    try:
        return _read(file)
    except UnicodeDecodeError:
        raise MaskingError(f"{fid}: {path} is not UTF-8 text") from None


def mask_tree(code_dir: Path, out_dir: Path, functions: list[tuple[str, str | None]]) -> MaskedTree:
    """Copy `code_dir` to `out_dir` (without __pycache__, .git, *.pyc) and mask the given
    functions (`file.py::Qual.name`, description or None). `out_dir` must not exist or be
    empty. Every id is checked before anything is written."""
    code_dir, out_dir = Path(code_dir), Path(out_dir)
    descriptions = dict(functions)
    by_file = _group(fid for fid, _ in functions)
    _check_out_dir(out_dir)
    originals: dict[str, str] = {}
    masked: dict[str, str] = {}
    for path, items in by_file.items():
        source = _source_file(code_dir, path, items[0][1])
        parsed = parse_source(source, path)
        for qual, fid in items:
            span = parsed.span(qual)
            originals[fid] = source[span.body_start : span.body_end]
        masked[path] = mask_source(
            source, [(qual, descriptions[fid]) for qual, fid in items], filename=path
        )
    copy_code(code_dir, out_dir)
    for path, text in masked.items():
        _write(out_dir / path, text)
    return MaskedTree(root=out_dir, originals=originals, masked_files=sorted(masked))


def restore_bodies(workspace: Path, bodies: dict[str, str]) -> None:
    """Write the given bodies (function id -> raw body, as from `extract_body` or
    `MaskedTree.originals`) back into the workspace's functions. Byte-exact when the function
    has the indentation and newlines the body came from; a dedented body is accepted too."""
    workspace = Path(workspace)
    by_file = _group(bodies)
    for path, items in by_file.items():
        source = _source_file(workspace, path, items[0][1])
        source = put_bodies(source, {q: bodies[fid] for q, fid in items}, filename=path)
        _write(workspace / path, source)


def _files(root: Path) -> dict[str, bool]:
    """Relative posix path -> is a regular file, for the files under root (symlinks, fifos
    and the like are listed but not followed), without skipped dirs and files."""
    out: dict[str, bool] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        rel = os.path.relpath(dirpath, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for name in filenames:
            if not _skipped(name, False):
                mode = os.lstat(os.path.join(dirpath, name)).st_mode
                out[prefix + name] = stat.S_ISREG(mode)
    return out


def _agent_file(agent_dir: Path, path: str, real_root: str | None = None) -> Path | None:
    """The agent's copy of `path` if it is a regular file inside the workspace (a symlink
    could point at the original code on the host). `real_root`: the workspace's real path,
    when the caller has it already."""
    file = os.path.join(agent_dir, path)
    try:
        root = real_root or os.path.realpath(agent_dir)
        inside = os.path.realpath(file).startswith(root.rstrip(os.sep) + os.sep)
        regular = stat.S_ISREG(os.lstat(file).st_mode)
    except OSError:
        return None
    return Path(file) if inside and regular else None


def _outside_edits(
    original_dir: Path,
    agent_dir: Path,
    by_file: dict[str, list[tuple[str, str]]],
    results_file: str,
) -> list[str]:
    """What differs between the agent's workspace and the original code once the original
    bodies are put back into the agent's copies of the masked functions."""
    original = _files(original_dir)
    agent = _files(agent_dir)
    agent.pop(results_file, None)
    edits = [f"deleted: {p}" for p in sorted(original.keys() - agent.keys())]
    edits += [
        f"added: {p}" for p in sorted(agent.keys() - original.keys()) if p.endswith(SOURCE_SUFFIXES)
    ]
    real_root = os.path.realpath(agent_dir)
    for path in sorted(original.keys() & agent.keys()):
        if not agent[path] or _agent_file(agent_dir, path, real_root) is None:
            edits.append(f"modified: {path} (not a regular file)")
            continue
        before = (original_dir / path).read_bytes()
        if (agent_dir / path).stat().st_size != len(before) and path not in by_file:
            edits.append(f"modified: {path}")
            continue
        after = (agent_dir / path).read_bytes()
        if before == after:
            continue
        if path not in by_file:
            edits.append(f"modified: {path}")
            continue
        try:
            orig_src = before.decode("utf-8")
            bodies = {q: _body(orig_src, q, path) for q, _ in by_file[path]}
            restored = put_bodies(after.decode("utf-8"), bodies, filename=path)
        except (MaskingError, UnicodeDecodeError) as e:
            edits.append(f"modified: {path} (cannot compare: {e})")
            continue
        if restored != orig_src:
            edits.append(f"modified: {path}")
    return edits


def _body(source: str, qual: str, path: str) -> str:
    span = parse_source(source, path).span(qual)
    return source[span.body_start : span.body_end]


def merge_for_grading(
    original_dir: Path,
    agent_dir: Path,
    function_ids: list[str],
    out_dir: Path,
    *,
    results_file: str = "results.json",
) -> MergeResult:
    """Build the grading copy: `original_dir` copied to `out_dir`, with the body of each
    masked function taken from the agent's version of its file.

    When the agent's file is missing or does not parse, or lacks the function, that body
    becomes `raise NotImplementedError` and the problem is recorded. Everything else (other
    functions, imports, other files, files the agent added) comes from the original.

    `outside_edits` is found by putting the original bodies back into the agent's copies of
    the masked functions and comparing every file with the original (so the masked tree is not
    needed): changed or deleted files, and added source files, count; caches, *.pyc and the
    `results_file` at the workspace root do not.
    """
    original_dir, agent_dir, out_dir = Path(original_dir), Path(agent_dir), Path(out_dir)
    by_file = _group(function_ids)
    copy_code(original_dir, out_dir)
    from_agent: list[str] = []
    fell_back: list[str] = []
    problems: list[str] = []
    for path, items in by_file.items():
        source = _source_file(original_dir, path, items[0][1])
        agent_file = _agent_file(agent_dir, path)
        agent_parsed = None
        if agent_file is None:
            problems.append(f"{path}: not a regular file in the agent's workspace")
        else:
            try:
                agent_parsed = parse_source(_read(agent_file), path)
            except (MaskingError, UnicodeDecodeError) as e:
                problems.append(f"{path}: the agent's file cannot be used: {e}")
        for qual, fid in items:
            body = None
            if agent_parsed is not None:
                try:
                    span = agent_parsed.span(qual)
                    body = agent_parsed.source[span.body_start : span.body_end]
                    source = put_bodies(source, {qual: body}, filename=path)
                    from_agent.append(fid)
                except MaskingError as e:
                    problems.append(str(e))
                    body = None
            if body is None:
                source = replace_body(source, qual, masked_body(None), filename=path)
                fell_back.append(fid)
        _write(out_dir / path, source)
    return MergeResult(
        root=out_dir,
        from_agent=from_agent,
        fell_back=fell_back,
        problems=problems,
        outside_edits=_outside_edits(original_dir, agent_dir, by_file, results_file),
    )
