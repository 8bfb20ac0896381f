"""The small JSON summary of the x-ray stages: the cohort stages' format (``stage, counts,
parameters, versions``) with the imaging libraries these stages depend on added to the versions."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from vrgan.artefacts import PACKAGES, write_summary

__all__ = ["write_xray_summary"]

LIBRARIES = ("scikit-image", "scipy", "pystackreg", "torch")


def write_xray_summary(
    path: str | os.PathLike[str], stage: str, counts: Mapping[str, Any], parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """Write ``{"stage", "counts", "parameters", "versions"}`` as JSON, atomically, and return it."""
    return write_summary(path, stage, counts, parameters, (*PACKAGES, *LIBRARIES))
