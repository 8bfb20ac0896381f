"""Scoring disease-effect maps: per-pair NCC of trained generators and of trivial baselines.

Trivial baselines tell a reader what a method actually learned beyond the obvious:

- ``negative_image``: Δx = -x, the map that erases the image (toy: NCC about 0.37).
- ``constant_ring``: the best *constant shrink* map, a ring of -1 between two half-sides
  chosen to maximise the mean validation NCC, applied unchanged to every test image.
- ``mean_validation_map``: the mean ground-truth map of the validation pairs, applied unchanged
  to every test image; the best input-independent map in practice.

A method whose NCC does not beat the constant maps has not learned to adapt the map to the image
or to the desired label.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from vrgan.metrics import ncc, summarize_ncc

__all__ = [
    "BASELINES",
    "baseline_maps",
    "constant_ring_map",
    "fit_constant_ring",
    "per_pair_ncc",
    "seed_table",
    "summary_table",
]

BASELINES = ("negative_image", "constant_ring", "mean_validation_map")


def constant_ring_map(size: int, inner: int, outer: int) -> np.ndarray:
    """A centred square ring of -1 between half-sides ``inner`` (exclusive) and ``outer``.

    Returns
    -------
    ring : ndarray of shape (size, size), float32
    """
    if not 0 <= inner < outer <= size // 2:
        raise ValueError(f"need 0 <= inner < outer <= {size // 2}, got inner={inner}, outer={outer}")
    ring = np.zeros((size, size), dtype=np.float32)
    c = size // 2
    ring[c - outer : c + outer, c - outer : c + outer] = -1.0
    ring[c - inner : c + inner, c - inner : c + inner] = 0.0
    return ring


def fit_constant_ring(targets: np.ndarray) -> tuple[int, int, float]:
    """Half-sides of the constant ring with the best mean NCC against ``targets``.

    Parameters
    ----------
    targets : ndarray of shape (M, S, S)
        Validation ground-truth maps (square images).

    Returns
    -------
    inner, outer : int
        The ring's half-sides.
    score : float
        Its mean NCC on ``targets``.
    """
    size = targets.shape[-1]
    best = (0, 1, -np.inf)
    for outer in range(1, size // 2 + 1):
        for inner in range(outer):
            ring = constant_ring_map(size, inner, outer)
            score = float(np.nanmean(ncc(np.broadcast_to(ring, targets.shape), targets)))
            if score > best[2]:
                best = (inner, outer, score)
    return best


def baseline_maps(x: np.ndarray, val_targets: np.ndarray, ring: bool = True) -> dict[str, np.ndarray]:
    """The trivial baselines' maps for test images ``x``, fitted on validation targets.

    Parameters
    ----------
    x : ndarray of shape (M, H, W)
        Test images.
    val_targets : ndarray of shape (K, H, W)
        Validation ground-truth maps (for the constant maps).
    ring : bool
        Include the constant ring (meaningful for the centred toy squares only).

    Returns
    -------
    dict of str to ndarray of shape (M, H, W)
    """
    maps = {
        "negative_image": -x,
        "mean_validation_map": np.broadcast_to(val_targets.mean(axis=0), x.shape),
    }
    if ring:
        inner, outer, _ = fit_constant_ring(val_targets)
        maps["constant_ring"] = np.broadcast_to(constant_ring_map(x.shape[-1], inner, outer), x.shape)
    return maps


def per_pair_ncc(maps: np.ndarray, targets: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """One row per pair with the NCC of ``maps`` against each named target.

    Parameters
    ----------
    maps : ndarray of shape (M, H, W)
    targets : mapping of str to ndarray of shape (M, H, W)
        E.g. ``{"target": ...}`` or ``{"registration": ..., "truth": ...}``.

    Returns
    -------
    DataFrame with columns ``pair`` and ``ncc_<name>`` for each target.
    """
    frame = pd.DataFrame({"pair": np.arange(maps.shape[0])})
    for name, target in targets.items():
        frame[f"ncc_{name}"] = ncc(maps, target)
    return frame


def seed_table(per_pair: Mapping[tuple[str, int | None], pd.DataFrame], column: str) -> pd.DataFrame:
    """Mean NCC over the test pairs for each (method, seed).

    Parameters
    ----------
    per_pair : mapping of (method, seed) to DataFrame
        Per-pair tables from :func:`per_pair_ncc`; seed None for deterministic baselines.
    column : str
        The NCC column to average.

    Returns
    -------
    DataFrame with columns ``method, seed, ncc, n_pairs, n_undefined``.
    """
    rows = []
    for (method, seed), frame in per_pair.items():
        stats = summarize_ncc(frame[column].to_numpy())
        rows.append({"method": method, "seed": seed, "ncc": stats["mean"], "n_pairs": stats["n"],
                     "n_undefined": stats["n_undefined"]})
    table = pd.DataFrame(rows)
    table["seed"] = table["seed"].astype("Int64")
    return table


def summary_table(seeds: pd.DataFrame, baselines: tuple[str, ...] = BASELINES) -> pd.DataFrame:
    """Mean and sample standard deviation (ddof=1) over seeds, per method.

    Deterministic baselines have one row each and no standard deviation.

    Returns
    -------
    DataFrame with columns ``method, kind, n_seeds, mean, std``.
    """
    rows = []
    for method, group in seeds.groupby("method", sort=False):
        values = group["ncc"].to_numpy(dtype=np.float64)
        rows.append(
            {
                "method": method,
                "kind": "baseline" if method in baselines else "model",
                "n_seeds": int(group["seed"].notna().sum()),
                "mean": float(np.nanmean(values)),
                "std": float(np.nanstd(values, ddof=1)) if values.size > 1 else float("nan"),
            }
        )
    return pd.DataFrame(rows)
