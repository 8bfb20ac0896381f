"""Where a result comes from: the git commit of the workflow and the machine that ran it.

Both ask the system (git, nvidia-smi) and never fail: what cannot be found is reported as such.
Imports only the standard library, so every rule's environment and the Snakefile can use it.
"""

from __future__ import annotations

import os
import platform
import subprocess
from typing import Any

__all__ = ["git_state", "machine"]


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
