"""Tasks: the task.yaml model, loading and the built-in suite."""

from autoexp.tasks._load import BUILTIN_DIR, builtin_tasks, discover, load_task, resolve_tasks
from autoexp.tasks._model import (
    SCHEMA_VERSION,
    Experiment,
    Function,
    HiddenExperiment,
    MeanRelativeError,
    Metric,
    Needs,
    Origin,
    Task,
    TaskSpec,
    split_function_id,
)

__all__ = [
    "BUILTIN_DIR",
    "SCHEMA_VERSION",
    "Experiment",
    "Function",
    "HiddenExperiment",
    "MeanRelativeError",
    "Metric",
    "Needs",
    "Origin",
    "Task",
    "TaskSpec",
    "builtin_tasks",
    "discover",
    "load_task",
    "resolve_tasks",
    "split_function_id",
]
