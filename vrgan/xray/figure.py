"""Registration examples in the style of the paper's Fig. 3: reference, moving, aligned, difference."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from vrgan.artefacts import save_figure

from .preprocessed import PreprocessedImages

__all__ = ["choose_figure_pairs", "draw_registration_figure"]


def choose_figure_pairs(registration: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` registered pairs, test split first, spread evenly over their ``ncc_after`` ranking.

    Deterministic; shows typical registrations and the worst one rather than only the best.
    """
    done = registration[registration["ncc_after"].notna()]
    test = done[done["split"] == "test"]
    pool = (test if len(test) >= n else done).sort_values(["ncc_after", "pair_id"], ascending=[False, True])
    if len(pool) <= n:
        return pool
    return pool.iloc[np.unique(np.linspace(0, len(pool) - 1, n).round().astype(int))]


def draw_registration_figure(
    registration: pd.DataFrame,
    registration_maps: dict[str, np.ndarray],
    images: PreprocessedImages,
    path: str | os.PathLike[str],
    n_pairs: int = 4,
    truth_maps: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Draw ``n_pairs`` rows: x (reference), x' (moving), aligned x', Δx = aligned - x [, true Δx].

    Images share the model range [-1, 1] (grey scale); maps share one symmetric grey scale per
    row (grey = no change, black = decrease, white = increase, as in the paper); pixels where
    the aligned image does not exist are drawn in dark blue.

    Returns
    -------
    pandas.DataFrame
        The rows of ``registration`` that were drawn.
    """
    chosen = choose_figure_pairs(registration, n_pairs)
    reg_row = {p: k for k, p in enumerate(registration_maps["pair_id"])}
    truth_row = {p: k for k, p in enumerate(truth_maps["pair_id"])} if truth_maps is not None else {}
    titles = ["reference x (no COPD)", "moving x' (COPD)", "aligned x'", "Δx = aligned − x"]
    if truth_maps is not None:
        titles.append("phantom's true Δx")
    n_rows = max(len(chosen), 1)
    fig = Figure(figsize=(2.4 * len(titles), 2.5 * n_rows))
    axes = fig.subplots(n_rows, len(titles), squeeze=False)
    grey = colormaps["gray"].with_extremes(bad="#102060")
    for ax in axes.ravel():
        ax.set_axis_off()
    for row, pair in enumerate(chosen.itertuples(index=False)):
        x = images.load(pair.x_image_key)
        k = reg_row[pair.pair_id]
        delta, valid = registration_maps["delta"][k], registration_maps["valid"][k]
        aligned = np.where(valid, x + delta, np.nan)
        maps = [delta]
        if truth_maps is not None and pair.pair_id in truth_row:
            maps.append(truth_maps["delta"][truth_row[pair.pair_id]])
        panels = [x, images.load(pair.x_prime_image_key), aligned, *maps]
        for col, panel in enumerate(panels):
            ax = axes[row, col]
            if col < 3:
                ax.imshow(panel, cmap=grey, vmin=-1, vmax=1)
            else:
                limit = float(np.nanmax(np.abs(panel))) or 1.0
                ax.imshow(np.where(valid | (col > 3), panel, np.nan), cmap=grey, vmin=-limit, vmax=limit)
            if row == 0:
                ax.set_title(titles[col], fontsize=9)
        axes[row, 0].text(
            0.0,
            -0.03,
            f"{pair.split} · {pair.status} · NCC {pair.ncc_before:.3f} → {pair.ncc_after:.3f}",
            transform=axes[row, 0].transAxes,
            fontsize=7,
            va="top",
        )
    fig.suptitle("Registration ground truth (affine, pystackreg), in the style of the paper's Fig. 3", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
    return chosen
