"""The small JSON summary every stage writes beside its table, and the stage log set-up."""

from __future__ import annotations

import json
import logging
import os
import platform
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

PACKAGES = (
    "vrgan-pipeline",
    "numpy",
    "pandas",
    "pyarrow",
    "pydicom",
    "pylibjpeg",
    "pylibjpeg-libjpeg",
    "pylibjpeg-openjpeg",
    "pylibjpeg-rle",
    "matplotlib",
)


def versions() -> dict[str, str]:
    """Python and package versions of this run."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_summary(
    path: str | os.PathLike[str], stage: str, counts: Mapping[str, Any], parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """Write ``{"stage", "counts", "parameters", "versions"}`` as JSON and return it."""
    payload = {"stage": stage, "counts": dict(counts), "parameters": dict(parameters), "versions": versions()}
    Path(path).write_text(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")
    return payload


def read_summary(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a stage summary written by ``write_summary``."""
    return json.loads(Path(path).read_text())


def log_to(path: str | os.PathLike[str]) -> TextIO:
    """Send logging, warnings and stderr (tqdm) of this process to ``path``.

    The pydicom logger is silenced: its messages can name input files, whose paths may hold
    patient identifiers.
    """
    stream = open(path, "w", buffering=1)  # noqa: SIM115 - lives as long as the process
    sys.stderr = stream
    logging.basicConfig(
        stream=stream, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", force=True
    )
    logging.captureWarnings(True)
    logging.getLogger("pydicom").setLevel(logging.CRITICAL + 1)
    return stream
