"""Figures in the style of the paper: disease-effect maps and modified images for several y'."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

__all__ = ["attribution_figure", "seed_curves_figure"]


def _show(ax, image: np.ndarray, vmin: float, vmax: float, title: str = "") -> None:
    ax.imshow(image, cmap="gray", vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)


def attribution_figure(
    x: np.ndarray,
    y: float,
    y_primes: Sequence[float],
    vrgan_maps: np.ndarray,
    vagan_map: np.ndarray | None = None,
    targets: np.ndarray | None = None,
    label: str = "y",
) -> plt.Figure:
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
    targets : ndarray of shape (K, H, W), optional
        Ground-truth Δx for each desired label (an extra row).
    label : str
        Name of the label in titles (e.g. ``"FEV1/FVC"``).
    """
    k = len(y_primes)
    n_rows = 3 if targets is not None else 2
    n_cols = k + 1 + (vagan_map is not None)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(1.6 * n_cols, 1.7 * n_rows + 0.3), squeeze=False)
    all_maps = [vrgan_maps] + ([vagan_map[None]] if vagan_map is not None else [])
    if targets is not None:
        all_maps.append(targets)
    limit = float(max(np.abs(m).max() for m in all_maps)) or 1.0
    lo, hi = float(x.min()), float(x.max())
    for ax in axes[:, 0]:
        ax.axis("off")
    _show(axes[1, 0], x, lo, hi, f"(a) x, {label}={y:.2f}")
    for j, y_prime in enumerate(y_primes, start=1):
        _show(axes[0, j], vrgan_maps[j - 1], -limit, limit, f"VR-GAN Δx\n{label}'={y_prime:.2f}")
        _show(axes[1, j], x + vrgan_maps[j - 1], lo, hi, "x'")
        if targets is not None:
            _show(axes[2, j], targets[j - 1], -limit, limit, "true Δx")
    if vagan_map is not None:
        _show(axes[0, -1], vagan_map, -limit, limit, "(c) VA-GAN Δx")
        _show(axes[1, -1], x + vagan_map, lo, hi, "x'")
        if targets is not None:
            axes[2, -1].axis("off")
    fig.tight_layout()
    return fig


def seed_curves_figure(histories: dict[tuple[str, int], pd.DataFrame], title: str = "") -> plt.Figure:
    """Validation NCC per epoch of every (method, seed) run, one panel per method."""
    methods = sorted({method for method, _ in histories})
    fig, axes = plt.subplots(1, len(methods), figsize=(4.2 * len(methods), 3.2), squeeze=False)
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
