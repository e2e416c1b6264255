"""Why bubblewrap cannot run on this machine, and how to fix it."""

from __future__ import annotations

import os
from pathlib import Path


def explain(error: str, bwrap: str) -> str:
    """`error` plus why bubblewrap may fail on this machine and how to fix it."""
    hints = []
    if _sysctl("kernel/apparmor_restrict_unprivileged_userns") == "1":
        hints.append(
            "AppArmor restricts unprivileged user namespaces here (Ubuntu 23.10+). Either allow "
            "them: `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (persist it "
            "in /etc/sysctl.d/60-userns.conf), or allow them for bwrap only with an AppArmor "
            "profile, /etc/apparmor.d/autoexp-bwrap:\n"
            "    abi <abi/4.0>,\n    include <tunables/global>\n"
            f"    profile autoexp-bwrap {bwrap} flags=(unconfined) {{\n      userns,\n    }}\n"
            "  then `sudo apparmor_parser -r /etc/apparmor.d/autoexp-bwrap`."
        )
    if _sysctl("kernel/unprivileged_userns_clone") == "0":
        hints.append("enable user namespaces: `sudo sysctl -w kernel.unprivileged_userns_clone=1`.")
    if _sysctl("user/max_user_namespaces") == "0":
        hints.append(
            "user namespaces are disabled: `sudo sysctl -w user.max_user_namespaces=15000`."
        )
    if os.path.exists("/.dockerenv") or os.path.exists("/run/.containerenv"):
        hints.append(
            "inside a container, namespaces and mounts may be blocked by its seccomp/AppArmor "
            "profile: run it with `--security-opt seccomp=unconfined --security-opt "
            "apparmor=unconfined` (or --privileged)."
        )
    hints.append(
        "or run without isolation: backend 'none' (results are recorded as isolation: none)."
    )
    return "bubblewrap cannot run here: " + error + "\nHow to fix:\n- " + "\n- ".join(hints)


def _sysctl(name: str) -> str | None:
    try:
        return Path("/proc/sys", name).read_text().strip()
    except OSError:
        return None
