"""pyproject.toml's pinned distributions, the top-level modules they install, and a blocker that
makes importing some of them fail in a subprocess, as on a machine without them (for the tests of
the conda environments and of the light workflow driver)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]


def name_of(requirement: str) -> str:
    return re.split(r"[=<>!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def pins(requirements: list[str]) -> dict[str, str]:
    found = {}
    for requirement in requirements:
        name, sep, version = requirement.partition("==")
        assert sep, f"{requirement!r} is not pinned with =="
        found[name_of(name)] = version.strip()
    return found


PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
CORE = pins(PYPROJECT["dependencies"])
EXTRAS = {extra: pins(requirements) for extra, requirements in PYPROJECT["optional-dependencies"].items()}


def blocked_modules(installed: Iterable[str]) -> list[str]:
    """Top-level modules of the pyproject distributions that the ``installed`` distributions (with
    their own requirements, transitively) do not bring: those a machine with only them lacks."""
    allowed, todo = set(), list(installed)
    while todo:
        name = todo.pop()
        if name in allowed:
            continue
        allowed.add(name)
        for requirement in map(Requirement, metadata.requires(name) or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(name_of(requirement.name))
    every = set(CORE).union(*EXTRAS.values())
    modules = metadata.packages_distributions()
    return sorted(
        module
        for module, distributions in modules.items()
        if any(name_of(d) in every - allowed for d in distributions) and not module.startswith("_")
    )


#: Source of ``block(names, why)``, for the programs the tests run with ``python -c``: from then
#: on, importing a module below one of the top-level ``names`` raises ModuleNotFoundError saying
#: ``why``, and writes ``BLOCKED IMPORT <module>`` to stderr (code that catches the error and goes
#: on is still seen trying).
BLOCKER = r"""
import importlib.abc, sys


class _Blocked(importlib.abc.MetaPathFinder):
    def __init__(self, names, why):
        self.names, self.why = set(names), why

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            print(f"BLOCKED IMPORT {name}", file=sys.stderr, flush=True)
            raise ModuleNotFoundError(f"{name} {self.why}", name=name)
        return None  # the other finders go on as usual


def block(names, why):
    sys.meta_path.insert(0, _Blocked(names, why))
"""
