"""The toy study's floor at any scale: the trivial baselines scored without training anything.

The toy's ground truth depends on the labels only (``clean(y') - clean(y)``), so the
input-independent baselines (:data:`vrgan.evaluation.INPUT_INDEPENDENT`: the mean validation map
and the best constant ring) can be fitted and scored at the paper's size (224 px, about 5,400
validation and 5,400 test pairs) without ever holding the dataset in memory: the pairs are
rendered a chunk at a time from their labels, and the validation fit uses each distinct ground
truth (a pair of half-sides) once, weighted by how many pairs share it. The labels and desired labels are those
``rule toy_data`` would draw with the same seeds and counts (:func:`vrgan.toy.make_toy_dataset`
draws the labels first, :func:`vrgan.toy.make_toy_pairs` the desired labels from their own seed).

Only ``Δx = -x`` needs the noisy images. They are drawn for the test pair images alone, in float32
(:func:`vrgan.toy.smoothed_noise` with ``precision=np.float32``): the same law as the dataset's
noise, but not its stream, so ``-x`` is scored on other noise than a paper-scale ``toy_data`` would
draw (its NCC is a mean over thousands of pairs; the draw does not move it).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from vrgan.evaluation import best_ring, constant_ring_map, ring_scores
from vrgan.metrics import summarize_ncc
from vrgan.toy import (
    as_generator,
    half_side,
    render_squares,
    sample_desired_labels,
    sample_labels,
    smoothed_noise,
)

__all__ = ["pair_labels", "score_maps", "toy_floor"]


def pair_labels(
    n: int, size: int, images_seed: int, pairs_seed: int, threshold: float = 0.7
) -> tuple[np.ndarray, np.ndarray]:
    """Labels ``y >= threshold`` of the pair images of a toy split and their desired ``y'``.

    The same values as ``make_toy_pairs(make_toy_dataset(n, size, images_seed), pairs_seed,
    threshold)``'s ``y`` and ``y_prime``, without rendering an image.

    Returns
    -------
    y, y_prime : ndarray of shape (M,), float32
    """
    y = sample_labels(n, images_seed)
    y = y[y >= threshold]
    return y, sample_desired_labels(y, size, pairs_seed, threshold)


def _correlation(a: np.ndarray, a_constant: np.ndarray | bool, b: np.ndarray, b_constant: np.ndarray) -> np.ndarray:
    """Pearson correlation of centred rows: ``a`` (P,) shared by every row or (K, P), ``b`` (K, P);
    0 where ``a`` is constant, NaN where ``b`` is (the conventions of :func:`vrgan.metrics.ncc`)."""
    dot = b @ a if a.ndim == 1 else np.einsum("kp,kp->k", a, b)
    norm_a = np.sqrt((a * a).sum(axis=-1))
    norm_b = np.sqrt(np.einsum("kp,kp->k", b, b))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.clip(dot / (norm_a * norm_b), -1.0, 1.0)
    return np.where(b_constant, np.nan, np.where(a_constant, 0.0, value))


def _constant(rows: np.ndarray) -> np.ndarray:
    return rows.max(axis=-1) == rows.min(axis=-1)


def score_maps(
    maps: Mapping[str, np.ndarray], targets: np.ndarray, mean_map: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`vrgan.metrics.ncc` and :func:`vrgan.metrics.input_specific_ncc` of several maps
    against one chunk of targets, the targets centred once; a map of shape (H, W) is shared by
    every pair and scored as one matrix-vector product.

    Parameters
    ----------
    maps : mapping of str to ndarray of shape (H, W) or (K, H, W)
    targets : ndarray of shape (K, H, W)
    mean_map : ndarray of shape (H, W)

    Returns
    -------
    dict of str to (whole, specific), each ndarray of shape (K,)
    """
    t = targets.reshape(targets.shape[0], -1).astype(np.float64)
    m = np.asarray(mean_map, dtype=np.float64).ravel()
    t_constant, specific_constant = _constant(t), _constant(t - m)
    t -= t.mean(axis=1, keepdims=True)
    m_centred = m - m.mean()
    specific = t - m_centred
    scores = {}
    for name, predicted in maps.items():
        p = np.asarray(predicted, dtype=np.float64).reshape(*predicted.shape[:-2], -1)
        p_constant, beyond_m_constant = _constant(p), _constant(p - m)
        p = p - p.mean(axis=-1, keepdims=True)
        whole = _correlation(p, p_constant, t, t_constant)
        beyond_m_constant |= p_constant  # a constant map ignores its input: 0, as input_specific_ncc
        scores[name] = (whole, _correlation(p - m_centred, beyond_m_constant, specific, specific_constant))
    return scores


def _chunks(n: int, chunk: int) -> list[slice]:
    return [slice(start, min(start + chunk, n)) for start in range(0, n, chunk)]


def toy_floor(
    size: int,
    n_val: int,
    n_test: int,
    seeds: Mapping[str, int],
    threshold: float = 0.7,
    chunk: int = 128,
    noise_seed: int | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Test NCC of the toy's trivial baselines at ``size`` px, fitted on the validation pairs.

    Parameters
    ----------
    size : int
        Image side (paper 224).
    n_val, n_test : int
        Validation and test images drawn; the pairs are those with ``y >= threshold``.
    seeds : mapping
        ``val``, ``test``, ``val_pairs``, ``test_pairs`` as in ``toy.data.seeds``.
    threshold : float
        The pairs' class split.
    chunk : int
        Pairs rendered at a time (memory: a few arrays of ``chunk × size²`` float64).
    noise_seed : int, optional
        Seed of the test images' noise (for ``-x``); default ``seeds["test"]``.

    Returns
    -------
    table : DataFrame
        One row per baseline (``mean_validation_map``, ``constant_ring``, ``negative_image``):
        ``method, ncc, ncc_specific, n_pairs, n_undefined`` (means over the test pairs; the
        input-specific NCC around the mean validation map, exactly 0 for that map itself).
    counts : dict
        ``val_pairs``, ``val_distinct_targets``, ``test_pairs``, ``ring_inner``, ``ring_outer``,
        ``ring_val_ncc``, ``seconds``.
    """
    start = time.perf_counter()
    y, y_prime = pair_labels(n_val, size, seeds["val"], seeds["val_pairs"], threshold)
    # A ground truth depends on the two half-sides only: fit on the distinct ones, each weighted.
    sides = np.stack([half_side(y, size), half_side(y_prime, size)], axis=1)
    _, first, counts = np.unique(sides, axis=0, return_index=True, return_counts=True)
    total = np.zeros((size, size))
    weighted = np.zeros((size // 2 + 1, size // 2 + 1))
    n_defined = 0.0
    for part in _chunks(first.size, chunk):
        pick, weights = first[part], counts[part].astype(np.float64)
        targets = render_squares(y_prime[pick], size) - render_squares(y[pick], size)
        total += np.tensordot(weights, targets, axes=1)
        scores, n = ring_scores(targets, weights)
        if n:
            weighted += n * scores
            n_defined += n
    mean_map = total / y.size
    inner, outer, ring_score = best_ring(weighted / n_defined)
    ring = constant_ring_map(size, inner, outer)

    y_test, y_prime_test = pair_labels(n_test, size, seeds["test"], seeds["test_pairs"], threshold)
    noise_rng = as_generator(seeds["test"] if noise_seed is None else noise_seed)
    scores = {name: ([], []) for name in ("mean_validation_map", "constant_ring", "negative_image")}
    for part in _chunks(y_test.size, chunk):
        clean = render_squares(y_test[part], size)
        targets = render_squares(y_prime_test[part], size) - clean
        x = clean + smoothed_noise(len(clean), size, noise_rng, precision=np.float32)
        maps = {"mean_validation_map": mean_map, "constant_ring": ring, "negative_image": -x}
        for name, (whole, specific) in score_maps(maps, targets, mean_map).items():
            scores[name][0].append(whole)
            scores[name][1].append(specific)
    rows = []
    for name, (whole, specific) in scores.items():
        stats = summarize_ncc(np.concatenate(whole))
        rows.append(
            {
                "method": name,
                "ncc": stats["mean"],
                "ncc_specific": summarize_ncc(np.concatenate(specific))["mean"],
                "n_pairs": stats["n"],
                "n_undefined": stats["n_undefined"],
            }
        )
    counts = {
        "val_pairs": int(y.size),
        "val_distinct_targets": int(first.size),
        "test_pairs": int(y_test.size),
        "ring_inner": inner,
        "ring_outer": outer,
        "ring_val_ncc": ring_score,
        "seconds": round(time.perf_counter() - start, 1),
    }
    return pd.DataFrame(rows), counts
