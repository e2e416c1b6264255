"""The options of `autoexp build` as one typed model: the command line's parameters are generated
from its fields (see `autoexp.runner._options`), and `build()` runs the build they describe.

Imports only pydantic and the light option marker, so that `autoexp --help` stays light; the
builder is imported when it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from autoexp.runner._options import Cli

if TYPE_CHECKING:
    from autoexp.builder._types import BuildResult
    from autoexp.builder._validate import Check


class BuildOptions(BaseModel):
    """The options of `autoexp build`, one field each (`--kebab-name`, docstring as help)."""

    model_config = ConfigDict(
        use_attribute_docstrings=True, extra="forbid", frozen=True, defer_build=True
    )

    src: Annotated[Path | None, Cli(argument=True)] = None
    """The research repository (copied into the task, never changed)."""
    command: Annotated[list[str] | None, Cli(short="-c")] = None
    """Command of one experiment, run from the repository's root; repeat for each."""
    paper: Path | None = None
    """The paper's text (.md or .txt; default: a TODO placeholder)."""
    out: Path | None = None
    """Task directory to write, new or empty (default: SRC-task beside SRC)."""
    repeats: Annotated[int, Field(ge=1)] = 3
    """Plain runs of each command for the tolerances (noisy ones run 10 times)."""
    functions: list[str] | None = None
    """Exactly these function ids are maskable (repeat, or separate with commas)."""
    max_functions: Annotated[int | None, Field(ge=1)] = None
    """Keep the first N proposed functions by rank."""
    model: str | None = None
    """Model that writes the descriptions of functions without a docstring."""
    base_url: str | None = None
    """OpenAI-compatible endpoint of the model (default: $OPENAI_BASE_URL)."""
    api_key_env: str = "OPENAI_API_KEY"
    """Env var holding the model's API key."""
    id: str | None = None
    """Task id (default: the repository's name)."""
    mutants: Path | None = None
    """Directory of mutant files to copy into hidden/mutants/ before validating."""
    workers: Annotated[int | None, Field(ge=1)] = None
    """Commands run at the same time (default: the CPU count)."""
    no_samples: bool = False
    """Do not record the differential samples (`autoexp tasks record` can, later)."""
    no_validate: bool = False
    """Do not validate the new task."""
    backend: Literal["auto", "bwrap", "none"] = "auto"
    """Sandbox backend."""

    @model_validator(mode="after")
    def _src_and_commands(self) -> BuildOptions:
        if self.src is None:
            raise PydanticCustomError("missing", "give the repository to build from (SRC)")
        if not self.command or not any(c.strip() for c in self.command):
            raise PydanticCustomError("missing", "give each experiment's command with -c/--command")
        return self

    def function_ids(self) -> list[str] | None:
        """`--functions`, split at commas."""
        if not self.functions:
            return None
        return [f.strip() for f in ",".join(self.functions).split(",") if f.strip()]

    def build(
        self,
        on_progress: Callable[[str], None] | None = None,
        on_check: Callable[[Check], None] | None = None,
    ) -> BuildResult:
        """Run the build these options describe (the model's endpoint is checked first)."""
        from autoexp.builder._build import build_task
        from autoexp.models import ModelConfig, OpenAIModel, check_endpoint
        from autoexp.sandbox import make_sandbox

        assert self.src is not None and self.command is not None  # by the validators
        llm = None
        if self.model:
            config = ModelConfig(
                name=self.model, base_url=self.base_url, api_key_env=self.api_key_env
            )
            check_endpoint(config)
            llm = OpenAIModel(config)
        return build_task(
            self.src,
            [c for c in self.command if c.strip()],
            make_sandbox(backend=self.backend),
            out=self.out,
            paper=self.paper,
            repeats=self.repeats,
            functions=self.function_ids(),
            max_functions=self.max_functions,
            model=llm,
            task_id=self.id,
            mutants=self.mutants,
            workers=self.workers,
            samples=not self.no_samples,
            validate=not self.no_validate,
            on_progress=on_progress,
            on_check=on_check,
        )
