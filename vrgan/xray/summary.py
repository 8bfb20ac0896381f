"""The small JSON summary of the x-ray stages: the cohort stages' format (``stage, counts,
parameters, versions``) with the imaging libraries these stages depend on added to the versions."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from vrgan.cohort.artefacts import versions

__all__ = ["write_xray_summary"]

LIBRARIES = ("scikit-image", "scipy", "pystackreg", "torch")


def write_xray_summary(
    path: str | os.PathLike[str], stage: str, counts: Mapping[str, Any], parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """Write ``{"stage", "counts", "parameters", "versions"}`` as JSON and return it."""
    found = versions()
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    payload = {"stage": stage, "counts": dict(counts), "parameters": dict(parameters), "versions": found}
    Path(path).write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return payload
