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

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from vrgan.metrics import ncc, summarize_ncc

__all__ = [
    "BASELINES",
    "baseline_maps",
    "constant_ring_map",
    "fit_constant_ring",
    "keep_pairs",
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


def per_pair_ncc(
    maps: np.ndarray, targets: Mapping[str, np.ndarray], columns: Mapping[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """One row per pair with the NCC of ``maps`` against each named target.

    Parameters
    ----------
    maps : ndarray of shape (M, H, W)
    targets : mapping of str to ndarray of shape (M, H, W)
        E.g. ``{"target": ...}`` or ``{"registration": ..., "truth": ...}``.
    columns : mapping of str to ndarray of shape (M,), optional
        Per-pair values copied into the table between ``pair`` and the scores, in this order
        (e.g. ``y``, ``y_prime``, ``pair_id``, ``registration_status``).

    Returns
    -------
    DataFrame with columns ``pair``, then ``columns``, then ``ncc_<name>`` for each target.
    """
    frame = pd.DataFrame({"pair": np.arange(maps.shape[0])})
    for name, values in (columns or {}).items():
        frame[name] = np.asarray(values)
    for name, target in targets.items():
        frame[f"ncc_{name}"] = ncc(maps, target)
    return frame


def keep_pairs(frame: pd.DataFrame, exclude: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """The rows of a per-pair table whose value in none of ``exclude``'s columns is excluded.

    Parameters
    ----------
    frame : DataFrame
        A per-pair table (:func:`per_pair_ncc`).
    exclude : mapping of str to sequence
        Column name to the values that leave a pair out, e.g.
        ``{"registration_status": ["failed"]}``; empty keeps every pair.

    Raises
    ------
    KeyError
        If a column of ``exclude`` is not in ``frame``.
    """
    keep = np.ones(len(frame), dtype=bool)
    for column, values in exclude.items():
        if column not in frame.columns:
            raise KeyError(f"cannot exclude pairs by {column!r}: the per-pair table has no such column")
        keep &= ~frame[column].isin(list(values)).to_numpy()
    return frame[keep]


def seed_table(
    per_pair: Mapping[tuple[str, int | None], pd.DataFrame],
    column: str,
    subsets: Mapping[str, Mapping[str, Sequence[Any]]] | None = None,
) -> pd.DataFrame:
    """Mean NCC over the test pairs for each (method, seed), optionally for several subsets of pairs.

    Parameters
    ----------
    per_pair : mapping of (method, seed) to DataFrame
        Per-pair tables from :func:`per_pair_ncc`; seed None for deterministic baselines.
    column : str
        The NCC column to average.
    subsets : mapping of str to mapping, optional
        Named subsets of pairs, each given by the values that leave a pair out (see
        :func:`keep_pairs`), e.g. ``{"all": {}, "not_failed": {"registration_status": ["failed"]}}``.
        None: all pairs, and no ``pairs`` column.

    Returns
    -------
    DataFrame with columns ``method, seed, [pairs,] ncc, n_pairs, n_undefined``, subset-major.
    """
    rows = []
    for subset, exclude in (subsets or {None: {}}).items():
        for (method, seed), frame in per_pair.items():
            stats = summarize_ncc(keep_pairs(frame, exclude)[column].to_numpy())
            row = {"method": method, "seed": seed} | ({"pairs": subset} if subsets is not None else {})
            rows.append(row | {"ncc": stats["mean"], "n_pairs": stats["n"], "n_undefined": stats["n_undefined"]})
    table = pd.DataFrame(rows)
    table["seed"] = table["seed"].astype("Int64")
    return table


def summary_table(seeds: pd.DataFrame, baselines: tuple[str, ...] = BASELINES) -> pd.DataFrame:
    """Mean and sample standard deviation (ddof=1) over seeds, per method (and subset of pairs).

    Deterministic baselines have one row each and no standard deviation. A ``pairs`` column of
    :func:`seed_table` is kept, one block of rows per subset.

    Returns
    -------
    DataFrame with columns ``method, kind, [pairs,] n_seeds, mean, std``.
    """
    keys = ["pairs", "method"] if "pairs" in seeds.columns else ["method"]
    rows = []
    for key, group in seeds.groupby(keys, sort=False):
        method = key[-1] if isinstance(key, tuple) else key
        values = group["ncc"].to_numpy(dtype=np.float64)
        row = {"method": method, "kind": "baseline" if method in baselines else "model"}
        if "pairs" in seeds.columns:
            row["pairs"] = key[0]
        rows.append(
            row
            | {
                "n_seeds": int(group["seed"].notna().sum()),
                "mean": float(np.nanmean(values)),
                "std": float(np.nanstd(values, ddof=1)) if values.size > 1 else float("nan"),
            }
        )
    return pd.DataFrame(rows)
