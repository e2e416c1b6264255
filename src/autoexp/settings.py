"""Information settings: presets and parsing of `--setting`."""

from __future__ import annotations

from autoexp.agents._types import Setting
from autoexp.errors import AutoexpError

PRESETS: dict[str, Setting] = {
    "pc+cmd": Setting(),
    "pc": Setting(commands="hidden"),
}
"""Named settings: `pc+cmd` (partial code + commands, the default), `pc` (partial code, no
commands)."""

_SWITCHES = {
    "commands": {"given", "hidden"},
    "paper": {"full", "none", "excerpts"},
    "descriptions": {"on", "off"},
}


def parse_setting(text: str) -> Setting:
    """A preset name, or switches like `commands=hidden,paper=none,descriptions=off`."""
    text = text.strip()
    if text in PRESETS:
        return PRESETS[text]
    values: dict[str, object] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in _SWITCHES or value not in _SWITCHES[key]:
            choices = "; ".join(f"{k}={'|'.join(sorted(v))}" for k, v in _SWITCHES.items())
            raise AutoexpError(
                f"setting {text!r}: use a preset ({', '.join(PRESETS)}) or switches ({choices})"
            )
        values[key] = value == "on" if key == "descriptions" else value
    return Setting(**values)


def resolve_settings(texts: list[str] | None) -> list[Setting]:
    """Settings from `--setting` values (default: `pc+cmd`), without duplicates."""
    out: list[Setting] = []
    for t in texts or ["pc+cmd"]:
        s = parse_setting(t)
        if s not in out:
            out.append(s)
    return out
