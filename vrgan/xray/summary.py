"""The small JSON summary of the x-ray stages: the cohort stages' format (``stage, counts,
parameters, versions``) with the imaging libraries these stages depend on added to the versions."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from vrgan.artefacts import PACKAGES, write_summary

__all__ = ["write_xray_summary", "preprocess_counts", "dataset_counts"]

LIBRARIES = ("scikit-image", "scipy", "pystackreg", "torch")


def write_xray_summary(
    path: str | os.PathLike[str], stage: str, counts: Mapping[str, Any], parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """Write ``{"stage", "counts", "parameters", "versions"}`` as JSON, atomically, and return it."""
    return write_summary(path, stage, counts, parameters, (*PACKAGES, *LIBRARIES))


def _value_counts(values: Any) -> dict[str, int]:
    """``{value: n}`` in sorted order of the values, with plain ints."""
    return {str(k): int(n) for k, n in pd.Series(values).value_counts().sort_index().items()}


def preprocess_counts(index: pd.DataFrame, manifest: pd.DataFrame) -> dict[str, Any]:
    """Images, images per status, the reasons of the failed ones and the shards written.

    Parameters
    ----------
    index : DataFrame
        ``preprocess_cohort_images``'s index of the written images (``shard``).
    manifest : DataFrame
        Its manifest: one row per cohort image with ``status`` and ``reason``.
    """
    return {
        "images": len(manifest),
        **_value_counts(manifest["status"]),
        "failed_reasons": _value_counts(manifest.loc[manifest["status"] != "ok", "reason"]),
        "shards": int(index["shard"].nunique()) if len(index) else 0,
    }


def dataset_counts(
    train: Mapping[str, np.ndarray], pair_sets: Mapping[str, Mapping[str, np.ndarray]], image_size: int, with_truth: bool
) -> dict[str, Any]:
    """Training images (and how many have COPD), and per pair set its pairs and registration statuses.

    Parameters
    ----------
    train : mapping
        ``build_training_set``'s arrays (``y``, ``copd``).
    pair_sets : mapping of str to mapping
        Split name (``validation``, ``test``) to ``build_pair_set``'s arrays (``y``,
        ``registration_status``).
    image_size : int
        Side of the preprocessed images.
    with_truth : bool
        Whether the pair sets carry the phantom's true maps (demo export).
    """
    counts: dict[str, Any] = {
        "train_images": len(train["y"]),
        "train_copd": int(np.sum(train["copd"])),
        "image_size": int(image_size),
    }
    for split, data in pair_sets.items():
        counts[f"{split}_pairs"] = len(data["y"])
        counts[f"{split}_by_status"] = _value_counts(data["registration_status"])
    counts["with_truth"] = bool(with_truth)
    return counts
