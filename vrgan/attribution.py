"""Figures of the trained generators on the x-ray test pairs (paper Figs. 4 and 5).

- :func:`draw_attribution_figure` (Fig. 4): one test pair's x (no COPD), VR-GAN's Δx and x' for
  several desired FEV1/FVC y' and for the pair's own y' (the FEV1/FVC of its COPD exam), VA-GAN's
  single map, and under the pair's own y' its ground truths: the registration Δx and, on the
  demo export, the phantom's true Δx.
- :func:`draw_severity_figure` (Fig. 5): x, x' and Δx for an increase of severity (a test x
  asked for a lower y') and a decrease (a test COPD image, the x' of a pair, asked for a higher y').
- :func:`draw_progression`: the frames of an animation of one test pair's x' = x + Δx as y'
  sweeps from healthy to severe (the pair of Fig. 4).

Both read ``test_pairs.npz`` as loaded by ``numpy.load`` (see :mod:`vrgan.xray.datasets`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from vrgan.figures import attribution_figure, progression_frames, severity_figure
from vrgan.models import UNetGenerator
from vrgan.training import predict_maps

__all__ = [
    "LABEL",
    "closest_label",
    "desired_labels",
    "draw_attribution_figure",
    "draw_progression",
    "draw_severity_figure",
]

LABEL = "FEV1/FVC"


def closest_label(labels: np.ndarray, value: float) -> int:
    """Index of the label closest to ``value`` (the first one on a tie).

    Raises
    ------
    ValueError
        If there is no label.
    """
    labels = np.asarray(labels, dtype=np.float64)
    if labels.size == 0:
        raise ValueError("no test pair to draw: the test set is empty")
    return int(np.argmin(np.abs(labels - value)))


def desired_labels(y_primes: Sequence[float], own: float) -> tuple[np.ndarray, int]:
    """The figure's desired labels: ``y_primes`` with the pair's own y' added, in increasing order.

    Returns
    -------
    labels : ndarray of shape (K,), float32
    column : int
        Position of ``own`` in ``labels`` (a requested y' within 0.005 of it is replaced by it).
    """
    kept = [float(v) for v in y_primes if abs(float(v) - own) >= 0.005]
    labels = np.sort(np.asarray(kept + [own], dtype=np.float32))
    return labels, int(np.flatnonzero(labels == np.float32(own))[0])


def draw_attribution_figure(
    pairs: Mapping[str, np.ndarray],
    vrgan: UNetGenerator,
    vagan: UNetGenerator | None,
    y: float,
    y_primes: Sequence[float],
    device: torch.device | str = "cpu",
) -> tuple[Figure, str]:
    """Paper Fig. 4 for the test pair whose x has the label closest to ``y``.

    Parameters
    ----------
    pairs : mapping of str to ndarray
        ``test_pairs.npz``: ``x`` (M, C, C), ``y``, ``y_prime`` (M,), ``target_registration``
        (M, C, C), ``pair_id`` (M,) and, on the demo, ``target_truth`` (M, C, C).
    vrgan, vagan : UNetGenerator
        Trained generators (``vagan`` None: no VA-GAN column).
    y : float
        FEV1/FVC near which the pair's x is chosen.
    y_primes : sequence of float
        Desired FEV1/FVC values; the pair's own y' is added.

    Returns
    -------
    figure : matplotlib Figure
    pair_id : str
        The pair shown.
    """
    i = closest_label(pairs["y"], y)
    labels, own = desired_labels(y_primes, float(pairs["y_prime"][i]))
    x = np.repeat(pairs["x"][i][None], labels.size, axis=0)
    y_x = np.full(labels.size, pairs["y"][i], dtype=np.float32)
    maps = predict_maps(vrgan, x, y_x, labels, torch.device(device))
    vagan_map = None
    if vagan is not None:
        vagan_map = predict_maps(vagan, x[:1], y_x[:1], labels[:1], torch.device(device))[0]
    truths = {"registration Δx": "target_registration", "true Δx (phantom)": "target_truth"}
    targets = {}
    for title, key in truths.items():
        if key in pairs:
            row = np.full(x.shape, np.nan, dtype=np.float32)
            row[own] = pairs[key][i]
            targets[title] = row
    figure = attribution_figure(pairs["x"][i], float(pairs["y"][i]), labels, maps, vagan_map, targets, LABEL, "separate")
    return figure, str(pairs["pair_id"][i])


def draw_severity_figure(
    pairs: Mapping[str, np.ndarray],
    vrgan: UNetGenerator,
    increase: Mapping[str, float],
    decrease: Mapping[str, float],
    device: torch.device | str = "cpu",
) -> tuple[Figure, list[str]]:
    """Paper Fig. 5: VR-GAN increasing and decreasing the severity of two test images.

    Parameters
    ----------
    pairs : mapping of str to ndarray
        ``test_pairs.npz`` (``x``, ``x_prime``, ``y``, ``y_prime``, ``pair_id``).
    vrgan : UNetGenerator
    increase : mapping
        ``y``: the pair whose x (no COPD) has the label closest to it; ``y_prime``: the desired
        label (paper 0.8 -> 0.4).
    decrease : mapping
        ``y``: the pair whose x' (COPD) has the label closest to it; ``y_prime``: the desired label
        (paper 0.37 -> 0.8).

    Returns
    -------
    figure : matplotlib Figure
    shown : list of str
        ``"<pair_id>:x"`` and ``"<pair_id>:x_prime"``, the images shown.
    """
    up = closest_label(pairs["y"], increase["y"])
    down = closest_label(pairs["y_prime"], decrease["y"])
    x = np.stack([pairs["x"][up], pairs["x_prime"][down]])
    y = np.array([pairs["y"][up], pairs["y_prime"][down]], dtype=np.float32)
    y_prime = np.array([increase["y_prime"], decrease["y_prime"]], dtype=np.float32)
    maps = predict_maps(vrgan, x, y, y_prime, torch.device(device))
    titles = ["increasing severity", "decreasing severity"]
    figure = severity_figure(x, y, y_prime, maps, LABEL, titles)
    return figure, [f"{pairs['pair_id'][up]}:x", f"{pairs['pair_id'][down]}:x_prime"]


def draw_progression(
    pairs: Mapping[str, np.ndarray],
    vrgan: UNetGenerator,
    y: float,
    y_primes: Sequence[float],
    device: torch.device | str = "cpu",
) -> tuple[list[np.ndarray], str]:
    """Frames of x' = x + G(x, y', y) for each desired label, for the test pair whose x has the
    label closest to ``y`` (the pair of :func:`draw_attribution_figure` for the same ``y``).

    Parameters
    ----------
    pairs : mapping of str to ndarray
        ``test_pairs.npz`` (``x``, ``y``, ``pair_id``).
    vrgan : UNetGenerator
    y : float
        FEV1/FVC near which the pair's x is chosen.
    y_primes : sequence of float
        The desired FEV1/FVC of each frame, in the order shown (e.g. healthy to severe).

    Returns
    -------
    frames : list of ndarray of shape (R, C), uint8
        One grayscale frame per desired label (:func:`vrgan.figures.progression_frames`).
    pair_id : str
        The pair shown.
    """
    i = closest_label(pairs["y"], y)
    labels = np.asarray(y_primes, dtype=np.float32)
    x = np.repeat(pairs["x"][i][None], labels.size, axis=0)
    y_x = np.full(labels.size, pairs["y"][i], dtype=np.float32)
    maps = predict_maps(vrgan, x, y_x, labels, torch.device(device))
    frames = progression_frames(pairs["x"][i], float(pairs["y"][i]), labels, maps, LABEL)
    return frames, str(pairs["pair_id"][i])
