"""Figures in the style of the paper: disease-effect maps and modified images for several y'."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["attribution_figure", "progression_frames", "seed_curves_figure", "severity_figure"]


def _show(ax, image: np.ndarray, vmin: float, vmax: float, title: str = "") -> None:
    ax.imshow(image, cmap="gray", vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)


def _limit(maps: Sequence[np.ndarray]) -> float:
    """Largest |value| of the maps (NaN ignored); 1 when there is none or all are zero."""
    values = [float(np.nanmax(np.abs(m))) for m in maps if np.isfinite(m).any()]
    return max(values, default=0.0) or 1.0


def attribution_figure(
    x: np.ndarray,
    y: float,
    y_primes: Sequence[float],
    vrgan_maps: np.ndarray,
    vagan_map: np.ndarray | None = None,
    targets: np.ndarray | Mapping[str, np.ndarray] | None = None,
    label: str = "y",
    map_scale: str = "shared",
) -> Figure:
    """Paper Fig. 2 / Fig. 4 layout: Δx (top) and x or x' = x + Δx (bottom).

    Column (a) is the original image; columns (b) VR-GAN for each desired ``y'``; column (c)
    VA-GAN's single map. Maps are shown in gray with a symmetric range: gray is no change, black a
    decrease and white an increase of intensity.

    Parameters
    ----------
    x : ndarray of shape (H, W)
        The original image.
    y : float
        Its label.
    y_primes : sequence of float, length K
        Desired labels.
    vrgan_maps : ndarray of shape (K, H, W)
        VR-GAN's Δx for each desired label.
    vagan_map : ndarray of shape (H, W), optional
        VA-GAN's Δx.
    targets : ndarray of shape (K, H, W), or mapping of str to such arrays, optional
        Ground-truth Δx for each desired label: one extra row (titled "true Δx"), or one row per
        named ground truth. A map that is all NaN (no ground truth for that y') is left blank.
    label : str
        Name of the label in titles (e.g. ``"FEV1/FVC"``).
    map_scale : {"shared", "separate"}
        One gray range for every map, or one for VR-GAN's maps (shared across y', so that the
        strength of the change compares), one for VA-GAN's and one per ground-truth row (when
        their strengths differ much, as registration maps and the models' maps do on x-rays).
    """
    if map_scale not in ("shared", "separate"):
        raise ValueError(f"map_scale must be 'shared' or 'separate', got {map_scale!r}")
    if targets is None:
        target_rows: dict[str, np.ndarray] = {}
    elif isinstance(targets, np.ndarray):
        target_rows = {"true Δx": targets}
    else:
        target_rows = dict(targets)
    k = len(y_primes)
    n_rows = 2 + len(target_rows)
    n_cols = k + 1 + (vagan_map is not None)
    fig = Figure(figsize=(1.6 * n_cols, 1.7 * n_rows + 0.3))
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    model_maps = [vrgan_maps] + ([vagan_map[None]] if vagan_map is not None else [])
    shared = _limit(model_maps + list(target_rows.values()))
    if map_scale == "shared":
        vrgan_limit = vagan_limit = shared
        row_limits = [shared] * len(target_rows)
    else:
        vrgan_limit, vagan_limit = _limit([vrgan_maps]), _limit(model_maps[1:])
        row_limits = [_limit([m]) for m in target_rows.values()]
    lo, hi = float(x.min()), float(x.max())
    for ax in axes[:, 0]:
        ax.axis("off")
    _show(axes[1, 0], x, lo, hi, f"(a) x, {label}={y:.2f}")
    for j, y_prime in enumerate(y_primes, start=1):
        _show(axes[0, j], vrgan_maps[j - 1], -vrgan_limit, vrgan_limit, f"VR-GAN Δx\n{label}'={y_prime:.2f}")
        _show(axes[1, j], x + vrgan_maps[j - 1], lo, hi, "x'")
        for row, (title, maps) in enumerate(target_rows.items(), start=2):
            if np.isfinite(maps[j - 1]).any():
                _show(axes[row, j], maps[j - 1], -row_limits[row - 2], row_limits[row - 2], title)
            else:
                axes[row, j].axis("off")
    if vagan_map is not None:
        _show(axes[0, -1], vagan_map, -vagan_limit, vagan_limit, "(c) VA-GAN Δx")
        _show(axes[1, -1], x + vagan_map, lo, hi, "x'")
        for ax in axes[2:, -1]:
            ax.axis("off")
    fig.tight_layout()
    return fig


def severity_figure(
    x: np.ndarray,
    y: Sequence[float],
    y_prime: Sequence[float],
    maps: np.ndarray,
    label: str = "y",
    titles: Sequence[str] | None = None,
) -> Figure:
    """Paper Fig. 5 layout: one row per example, original image x, modified x' = x + Δx and Δx.

    Each row's Δx has its own symmetric gray range (gray: no change, black: a decrease, white: an
    increase of intensity); x and x' share x's range.

    Parameters
    ----------
    x : ndarray of shape (R, H, W)
        The original images.
    y, y_prime : sequence of float, length R
        Their labels and the desired ones.
    maps : ndarray of shape (R, H, W)
        Δx of each example.
    label : str
        Name of the label in titles.
    titles : sequence of str, length R, optional
        A title per row (e.g. "increasing severity").
    """
    n = len(x)
    fig = Figure(figsize=(5.4, 1.9 * n + 0.2))
    axes = fig.subplots(n, 3, squeeze=False)
    for row in range(n):
        lo, hi = float(x[row].min()), float(x[row].max())
        limit = _limit([maps[row]])
        _show(axes[row, 0], x[row], lo, hi, f"x, {label}={y[row]:.2f}")
        _show(axes[row, 1], x[row] + maps[row], lo, hi, f"x', {label}'={y_prime[row]:.2f}")
        _show(axes[row, 2], maps[row], -limit, limit, "Δx")
        if titles:
            axes[row, 0].set_ylabel(f"({chr(ord('a') + row)}) {titles[row]}", fontsize=8)
    fig.tight_layout()
    return fig


def progression_frames(
    x: np.ndarray,
    y: float,
    y_primes: Sequence[float],
    maps: np.ndarray,
    label: str = "y",
    dpi: int = 100,
) -> list[np.ndarray]:
    """Frames of an animation of x' = x + Δx as the desired label y' sweeps: x' beside Δx.

    Every frame has the same gray ranges, so that the change grows visibly from frame to frame:
    x' uses x's range and Δx one symmetric range over all the maps (gray: no change, black: a
    decrease, white: an increase of intensity). Each frame is titled with its y'.

    Parameters
    ----------
    x : ndarray of shape (H, W)
        The original image.
    y : float
        Its label.
    y_primes : sequence of float, length K
        The desired label of each frame.
    maps : ndarray of shape (K, H, W)
        Δx for each desired label.
    label : str
        Name of the label in titles.
    dpi : int
        Resolution of the rendered frames.

    Returns
    -------
    list of ndarray of shape (R, C), uint8
        K grayscale frames.
    """
    if len(y_primes) != len(maps):
        raise ValueError(f"{len(y_primes)} desired labels for {len(maps)} maps")
    lo, hi = float(x.min()), float(x.max())
    limit = _limit(list(maps))
    frames = []
    for y_prime, delta in zip(y_primes, maps):
        fig = Figure(figsize=(4.0, 2.3), dpi=dpi)
        canvas = FigureCanvasAgg(fig)
        axes = fig.subplots(1, 2)
        _show(axes[0], x + delta, lo, hi, "x' = x + Δx")
        _show(axes[1], delta, -limit, limit, "Δx")
        fig.suptitle(f"{label} {y:.2f} → {label}' = {y_prime:.2f}", fontsize=9)
        fig.tight_layout()
        canvas.draw()
        rgb = np.asarray(canvas.buffer_rgba())[..., :3].astype(np.float32)
        frames.append(np.rint(rgb @ np.array([0.299, 0.587, 0.114], np.float32)).clip(0, 255).astype(np.uint8))
    return frames


def seed_curves_figure(histories: dict[tuple[str, int], pd.DataFrame], title: str = "") -> Figure:
    """Validation NCC per epoch of every (method, seed) run, one panel per method."""
    methods = sorted({method for method, _ in histories})
    fig = Figure(figsize=(4.2 * len(methods), 3.2))
    axes = fig.subplots(1, len(methods), squeeze=False)
    for ax, method in zip(axes[0], methods):
        for (m, seed), history in sorted(histories.items()):
            if m == method:
                ax.plot(history["epoch"], history["val_ncc"], marker=".", label=f"seed {seed}")
        ax.set_title(method)
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation NCC")
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
