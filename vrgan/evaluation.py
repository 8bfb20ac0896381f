"""Scoring disease-effect maps: per-pair NCC of trained generators and of trivial baselines.

Trivial baselines tell a reader what a method actually learned beyond the obvious:

- ``negative_image``: Δx = -x, the map that erases the image (toy: NCC about 0.37).
- ``constant_ring``: the best *constant shrink* map, a ring of -1 between two half-sides
  chosen to maximise the mean validation NCC, applied unchanged to every test image.
- ``mean_validation_map``: the mean ground-truth map of the validation pairs, applied unchanged
  to every test image; the best input-independent map in practice.

A method whose NCC does not beat the constant maps has not learned to adapt the map to the image
or to the desired label. The constant maps (:data:`INPUT_INDEPENDENT`) are the *floor*: the best of
them is what needs no learning at all.

Per pair every map is scored against each ground truth three ways (:func:`per_pair_ncc`):
``ncc_<truth>`` over the whole image (the paper's score), ``ncc_<truth>_specific``
(:func:`vrgan.metrics.input_specific_ncc`, around the mean validation ground truth of that truth:
0 for a map that ignores its input) and, where pairs carry a valid-pixel mask (the x-ray
registration overlap), ``ncc_<truth>_overlap`` inside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from vrgan.metrics import input_specific_ncc, ncc, ncc_within, summarize_ncc

__all__ = [
    "BASELINES",
    "INPUT_INDEPENDENT",
    "MASK_KEY",
    "VARIANTS",
    "baseline_maps",
    "best_ring",
    "check_finite_maps",
    "constant_ring_map",
    "fit_constant_ring",
    "keep_pairs",
    "mean_validation_map",
    "pair_targets",
    "per_pair_ncc",
    "ring_scores",
    "score_pairs",
    "seed_table",
    "summary_table",
]

BASELINES = ("negative_image", "constant_ring", "mean_validation_map")
#: The baselines whose map is the same for every input: the best of them is the floor.
INPUT_INDEPENDENT = ("constant_ring", "mean_validation_map")
#: Per-pair scores beside the whole-image NCC: ``ncc_<truth>_<variant>`` columns.
VARIANTS = ("specific", "overlap")
#: The key of a pairs file holding each pair's valid-pixel mask (x-ray: the registration overlap).
MASK_KEY = "registration_valid"


def check_finite_maps(maps: np.ndarray, run: str) -> None:
    """Refuse maps with a non-finite pixel (a diverged training run), naming the run.

    A NaN map would otherwise drop out of the means silently while the run still counted as a seed.

    Parameters
    ----------
    maps : ndarray of shape (N, H, W)
        The generated Δx of the test pairs.
    run : str
        What made them, for the message (e.g. ``"vrgan seed 1"``).

    Raises
    ------
    ValueError
        If any map holds NaN or ±inf: how many of the maps, and what to do.
    """
    bad = ~np.isfinite(maps.reshape(len(maps), -1)).all(axis=1)
    if bad.any():
        raise ValueError(
            f"{run}: {int(bad.sum())} of {len(maps)} generated maps hold NaN or infinite values (the run "
            "diverged): look at its history.csv and training log, then retrain it (e.g. a lower learning "
            "rate) or leave the seed out of training.seeds"
        )


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


def _square_sums(maps: np.ndarray) -> np.ndarray:
    """Sum of each map over the centred squares of half-side 0 … S//2, shape (M, S//2 + 1)."""
    size = maps.shape[-1]
    centre = size // 2
    rows = np.arange(size)
    # The smallest half-side whose square [c - h, c + h) covers a row (or column), 1 … c (+1 odd side).
    shell_1d = np.maximum(centre - rows, rows - centre + 1)
    shell = np.maximum(shell_1d[:, None], shell_1d[None, :]).ravel()
    members = (shell[:, None] == np.arange(1, centre + 1)[None, :]).astype(np.float64)  # (S*S, c)
    shells = maps.reshape(maps.shape[0], -1).astype(np.float64) @ members
    return np.concatenate([np.zeros((maps.shape[0], 1)), np.cumsum(shells, axis=1)], axis=1)


def ring_scores(targets: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Mean NCC of every constant ring against ``targets``, in closed form.

    For the ring ``p`` of -1 on area ``a`` (:func:`constant_ring_map`) and a target ``t`` over
    ``N`` pixels, ``ncc = (-(R_t(outer) - R_t(inner)) / N + (a / N) mean(t)) / (std(p) std(t))``
    with ``R_t(h)`` the sum of ``t`` over the centred square of half-side ``h``: one pass over the
    targets for every ring (equal to :func:`vrgan.metrics.ncc` up to rounding).

    Parameters
    ----------
    targets : ndarray of shape (M, S, S)
        Ground-truth maps (square images).
    weights : ndarray of shape (M,), optional
        How many times each target counts (e.g. distinct maps and their multiplicities).

    Returns
    -------
    scores : ndarray of shape (S//2 + 1, S//2 + 1), float64
        ``scores[inner, outer]``, the (weighted) mean NCC over the targets that are not constant;
        NaN where ``inner >= outer``, or where every target is constant.
    n_defined : float
        The weight of the targets averaged (their number without ``weights``): chunks combine as
        a mean weighted by it.
    """
    if targets.ndim != 3 or targets.shape[1] != targets.shape[2]:
        raise ValueError(f"expected square maps of shape (M, S, S), got {targets.shape}")
    size = targets.shape[-1]
    flat = targets.reshape(targets.shape[0], -1)
    defined = flat.max(axis=1) != flat.min(axis=1)
    half = np.arange(size // 2 + 1)
    scores = np.full((half.size, half.size), np.nan)
    weights = np.ones(len(targets)) if weights is None else np.asarray(weights, dtype=np.float64)
    if not defined.any() or weights[defined].sum() <= 0:
        return scores, 0.0
    flat, weights = flat[defined].astype(np.float64), weights[defined]
    mean, std = flat.mean(axis=1), flat.std(axis=1)
    sums = _square_sums(targets[defined])
    n_pixels = float(size * size)
    q = np.average(sums / std[:, None], axis=0, weights=weights)  # mean over targets of R_t(h) / std(t)
    u = np.average(mean / std, weights=weights)
    inner, outer = np.meshgrid(half, half, indexing="ij")
    fraction = 4.0 * (outer**2 - inner**2) / n_pixels  # the ring's share of the pixels
    std_ring = np.sqrt(np.clip(fraction - fraction**2, 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = (-(q[outer] - q[inner]) / n_pixels + fraction * u) / std_ring
    value = np.where(std_ring > 0, value, 0.0)  # a ring covering the whole image is constant: 0
    scores[inner < outer] = value[inner < outer]
    return scores, float(weights.sum())


def best_ring(scores: np.ndarray) -> tuple[int, int, float]:
    """The ring of :func:`ring_scores`' table with the highest score (the first, in order of
    ``outer`` then ``inner``, on a tie): ``inner, outer, score``.

    Raises
    ------
    ValueError
        If no ring has a score (every target constant).
    """
    if np.isnan(scores).all():
        raise ValueError("no constant ring can be fitted: every target map is constant")
    order = np.nan_to_num(scores.T, nan=-np.inf)  # rows outer, columns inner
    outer, inner = np.unravel_index(int(np.argmax(order)), order.shape)
    return int(inner), int(outer), float(scores[inner, outer])


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
    return best_ring(ring_scores(targets)[0])


def mean_validation_map(targets: np.ndarray) -> np.ndarray:
    """The mean of the validation ground-truth maps: the best input-independent map in practice,
    and the ``m`` of the input-specific NCC.

    Parameters
    ----------
    targets : ndarray of shape (K, H, W)

    Returns
    -------
    ndarray of shape (H, W), float64
    """
    return np.asarray(targets, dtype=np.float64).mean(axis=0)


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
        "mean_validation_map": np.broadcast_to(mean_validation_map(val_targets), x.shape),
    }
    if ring:
        inner, outer, _ = fit_constant_ring(val_targets)
        maps["constant_ring"] = np.broadcast_to(constant_ring_map(x.shape[-1], inner, outer), x.shape)
    return maps


def per_pair_ncc(
    maps: np.ndarray,
    targets: Mapping[str, np.ndarray],
    columns: Mapping[str, np.ndarray] | None = None,
    mean_maps: Mapping[str, np.ndarray] | None = None,
    mask: np.ndarray | None = None,
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
    mean_maps : mapping of str to ndarray of shape (H, W), optional
        Per target name, the mean validation ground truth: adds ``ncc_<name>_specific``
        (:func:`vrgan.metrics.input_specific_ncc`).
    mask : ndarray of shape (M, H, W), bool, optional
        Per pair, the pixels of the overlap: adds ``ncc_<name>_overlap``
        (:func:`vrgan.metrics.ncc_within`).

    Returns
    -------
    DataFrame with columns ``pair``, then ``columns``, then per target ``ncc_<name>``,
    ``[ncc_<name>_specific,] [ncc_<name>_overlap]``.
    """
    frame = pd.DataFrame({"pair": np.arange(maps.shape[0])})
    for name, values in (columns or {}).items():
        frame[name] = np.asarray(values)
    for name, target in targets.items():
        frame[f"ncc_{name}"] = ncc(maps, target)
        if mean_maps is not None and name in mean_maps:
            frame[f"ncc_{name}_specific"] = input_specific_ncc(maps, target, mean_maps[name])
        if mask is not None:
            frame[f"ncc_{name}_overlap"] = ncc_within(maps, target, mask)
    return frame


def pair_targets(pairs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ground truths of a pairs file by name: ``target`` (toy) → ``target``,
    ``target_registration`` → ``registration``, ``target_truth`` → ``truth``."""
    return {key.removeprefix("target_"): pairs[key] for key in pairs.keys() if key.startswith("target")}


def score_pairs(
    maps: np.ndarray,
    test: Mapping[str, np.ndarray],
    val: Mapping[str, np.ndarray],
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """:func:`per_pair_ncc` of ``maps`` on the test pairs with every score: each ground truth of
    ``test``, input-specific around the mean of the same ground truth over ``val``, and inside
    :data:`MASK_KEY` where ``test`` has it.

    Parameters
    ----------
    maps : ndarray of shape (M, H, W)
    test, val : mapping of str to ndarray
        The test and validation pairs files (``np.load`` of ``*_pairs.npz``), with ``target*`` maps.
    columns : sequence of str
        Per-pair arrays of ``test`` copied into the table.
    """
    targets = pair_targets(test)
    means = {name: mean_validation_map(target) for name, target in pair_targets(val).items() if name in targets}
    mask = test[MASK_KEY] if MASK_KEY in test.keys() else None
    return per_pair_ncc(maps, targets, {name: test[name] for name in columns}, means, mask)


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
        The NCC column to average. Its :data:`VARIANTS` (``<column>_specific``,
        ``<column>_overlap``) present in any table are averaged too (NaN for a table without them).
    subsets : mapping of str to mapping, optional
        Named subsets of pairs, each given by the values that leave a pair out (see
        :func:`keep_pairs`), e.g. ``{"all": {}, "not_failed": {"registration_status": ["failed"]}}``.
        None: all pairs, and no ``pairs`` column.

    Returns
    -------
    DataFrame with columns ``method, seed, [pairs,] ncc, n_pairs, n_undefined, [ncc_specific,]
    [ncc_overlap]``, subset-major; ``n_pairs`` and ``n_undefined`` count the whole-image NCC, the
    variants are means over their defined pairs.
    """
    variants = [v for v in VARIANTS if any(f"{column}_{v}" in frame.columns for frame in per_pair.values())]
    rows = []
    for subset, exclude in (subsets or {None: {}}).items():
        for (method, seed), frame in per_pair.items():
            kept = keep_pairs(frame, exclude)
            stats = summarize_ncc(kept[column].to_numpy())
            row = {"method": method, "seed": seed} | ({"pairs": subset} if subsets is not None else {})
            row |= {"ncc": stats["mean"], "n_pairs": stats["n"], "n_undefined": stats["n_undefined"]}
            for variant in variants:
                name = f"{column}_{variant}"
                values = kept[name].to_numpy() if name in kept.columns else np.full(len(kept), np.nan)
                row[f"ncc_{variant}"] = summarize_ncc(values)["mean"]
            rows.append(row)
    table = pd.DataFrame(rows)
    table["seed"] = table["seed"].astype("Int64")
    return table


def summary_table(seeds: pd.DataFrame, baselines: tuple[str, ...] = BASELINES) -> pd.DataFrame:
    """Mean and sample standard deviation (ddof=1) over seeds, per method (and subset of pairs).

    Deterministic baselines have one row each and no standard deviation. ``n_seeds`` counts the
    seeds that were scored (a finite mean NCC); ``n_pairs``, when ``seeds`` has the column of
    :func:`seed_table`, the pairs with a defined NCC behind each mean (the fewest over its seeds). A ``pairs`` column of
    :func:`seed_table` is kept, one block of rows per subset. Methods not in ``baselines`` (VR-GAN,
    VA-GAN, any other trained method) are ``model`` rows.

    Returns
    -------
    DataFrame with columns ``method, kind, [pairs,] n_seeds, [n_pairs,] mean, std`` (the
    whole-image NCC), then ``<variant>_mean, <variant>_std`` for each ``ncc_<variant>`` column of ``seeds``
    (``specific_mean, specific_std, overlap_mean, overlap_std``).
    """
    keys = ["pairs", "method"] if "pairs" in seeds.columns else ["method"]
    scores = {"ncc": ""} | {f"ncc_{v}": f"{v}_" for v in VARIANTS if f"ncc_{v}" in seeds.columns}
    rows = []
    for key, group in seeds.groupby(keys, sort=False):
        method = key[-1] if isinstance(key, tuple) else key
        row = {"method": method, "kind": "baseline" if method in baselines else "model"}
        if "pairs" in seeds.columns:
            row["pairs"] = key[0]
        scored = group[np.isfinite(group["ncc"].to_numpy(dtype=np.float64))]
        row["n_seeds"] = int(scored["seed"].notna().sum())
        if "n_pairs" in seeds.columns:
            row["n_pairs"] = int(scored["n_pairs"].min()) if len(scored) else 0
        for column, prefix in scores.items():
            row |= {f"{prefix}mean": _mean(group[column]), f"{prefix}std": _std(group[column])}
        rows.append(row)
    return pd.DataFrame(rows)


def _mean(values: pd.Series) -> float:
    values = values.to_numpy(dtype=np.float64)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def _std(values: pd.Series) -> float:
    values = values.to_numpy(dtype=np.float64)
    return float(np.nanstd(values, ddof=1)) if np.isfinite(values).sum() > 1 else float("nan")
