"""Where a result comes from: the git commit of the workflow, the machine that ran it, and the
config as YAML text.

:func:`git_state` and :func:`machine` ask the system (git, nvidia-smi) and never fail: what cannot
be found is reported as such. Imports only the standard library, so every rule's environment and
the Snakefile can use it (PyYAML is not in the rules' environments: :func:`to_yaml` writes it).
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from collections.abc import Mapping
from typing import Any

__all__ = ["git_state", "machine", "to_yaml"]


def _run(command: list[str], cwd: str | os.PathLike[str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=30, check=False)


def git_state(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The commit checked out in the git work tree holding ``path``, and whether it has changes.

    Returns
    -------
    dict
        ``commit`` (40 hex digits, or None), ``dirty`` (True when a tracked file differs from the
        commit; None without a commit) and ``note`` (why there is no commit: not a git
        repository, git not installed; empty otherwise). Untracked files do not make the tree
        dirty: results, logs and the key file are git-ignored, and new files are not part of
        the commit either way.
    """
    try:
        head = _run(["git", "rev-parse", "--verify", "HEAD"], cwd=path)
        if head.returncode != 0:
            reason = head.stderr.strip().splitlines()
            return {"commit": None, "dirty": None, "note": reason[0] if reason else "git rev-parse failed"}
        status = _run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=path)
    except (FileNotFoundError, subprocess.TimeoutExpired) as err:
        return {"commit": None, "dirty": None, "note": f"git not available ({err.__class__.__name__})"}
    dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
    return {"commit": head.stdout.strip(), "dirty": dirty, "note": ""}


def machine() -> dict[str, Any]:
    """The machine running this process: ``platform``, ``processor``, ``cpus`` (logical CPUs) and
    ``gpus`` (NVIDIA device names from ``nvidia-smi``; empty without the tool or a device)."""
    try:
        smi = _run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"])
        gpus = [line.strip() for line in smi.stdout.splitlines() if line.strip()] if smi.returncode == 0 else []
    except (FileNotFoundError, subprocess.TimeoutExpired):
        gpus = []
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "gpus": gpus,
    }


_PLAIN = re.compile(r"[A-Za-z_/.][\w./+ -]*")


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        mantissa, e, exponent = text.partition("e")
        return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else text  # 1e-05 is a string in YAML 1.1
    text = str(value)
    special = text.lower() in {"true", "false", "null", "yes", "no", "on", "off"}
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and not special:
        return text
    return json.dumps(text, ensure_ascii=False)


def to_yaml(value: Any, indent: int = 0) -> str:
    """YAML text of a config (dicts, lists, scalars) that ``yaml.safe_load`` reads back equal.

    Lists of scalars are written in flow style (``[0, 1]``), as in ``config.yaml``.
    """
    pad = " " * indent
    if isinstance(value, Mapping):
        if not value:
            return pad + "{}\n"
        lines = []
        for key, item in value.items():
            nested = isinstance(item, Mapping | list) and item and not _flat(item)
            value_text = "\n" + to_yaml(item, indent + 2) if nested else f" {to_yaml(item).strip()}\n"
            lines.append(f"{pad}{_yaml_scalar(key)}:{value_text}")
        return "".join(lines)
    if isinstance(value, list):
        if _flat(value):
            return pad + "[" + ", ".join(_yaml_scalar(v) for v in value) + "]\n"
        return "".join(f"{pad}- " + to_yaml(item, indent + 2).lstrip() for item in value)
    return pad + _yaml_scalar(value) + "\n"


def _flat(value: Any) -> bool:
    return isinstance(value, list) and not any(isinstance(v, Mapping | list) for v in value) or value in ({}, [])
