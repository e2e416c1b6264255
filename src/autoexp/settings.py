"""Information settings: presets and parsing of `--setting`."""

from __future__ import annotations

from autoexp.agents._types import Setting
from autoexp.errors import AutoexpError

PRESETS: dict[str, Setting] = {
    "pc+cmd": Setting(),
    "pc": Setting(commands="hidden"),
    "reproduce": Setting(commands="hidden", n=0),
}
"""Named settings, after the published benchmark's: `pc+cmd` (Partial Code + reference
commands, the default), `pc` (Partial Code: functions masked, no commands), `reproduce` (Full
Code: nothing masked, no commands; the agent must find out how to run each experiment)."""

_SWITCHES = {
    "commands": {"given", "hidden"},
    "paper": {"full", "none", "excerpts"},
    "descriptions": {"on", "off"},
    "n": {str(i) for i in range(100)},
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
            choices = "; ".join(
                f"{k}={'|'.join(sorted(v)) if k != 'n' else 'N'}" for k, v in _SWITCHES.items()
            )
            raise AutoexpError(
                f"setting {text!r}: use a preset ({', '.join(PRESETS)}) or switches ({choices})"
            )
        if key == "descriptions":
            values[key] = value == "on"
        elif key == "n":
            values[key] = int(value)
        else:
            values[key] = value
    return Setting(**values)


def setting_from_switches(
    base: Setting,
    *,
    commands: str | None = None,
    paper: str | None = None,
    descriptions: bool | None = None,
) -> Setting:
    """`base` with the given switches changed (None: unchanged)."""
    update = {
        k: v
        for k, v in {"commands": commands, "paper": paper, "descriptions": descriptions}.items()
        if v is not None
    }
    return Setting(**{**base.model_dump(), **update})


def resolve_settings(texts: list[str] | None) -> list[Setting]:
    """Settings from `--setting` values (default: `pc+cmd`), without duplicates."""
    out: list[Setting] = []
    for t in texts or ["pc+cmd"]:
        s = parse_setting(t)
        if s not in out:
            out.append(s)
    return out
