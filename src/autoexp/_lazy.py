"""Public names served from private modules on first use (PEP 562), so importing a package
costs only what is used."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, public: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` serving `public` (name -> "module" or
    "module:attribute"): the module is imported when the name is first used, and the value is
    kept in the package's namespace, so later look-ups do not come back here."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        where = public.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attr = where.partition(":")
        value = getattr(importlib.import_module(module), attr or name)
        namespace[name] = value
        return value

    return __getattr__
