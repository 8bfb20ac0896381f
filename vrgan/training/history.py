"""Per-epoch training history: a CSV of losses and validation NCC, and its plot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from vrgan.artefacts import save_figure

__all__ = ["plot_history"]


def plot_history(history: pd.DataFrame, path: str | Path, title: str = "") -> None:
    """Two panels: every loss column per epoch, and validation NCC per epoch with the best marked."""
    fig = Figure(figsize=(10, 3.6))
    ax_loss, ax_ncc = fig.subplots(1, 2)
    loss_columns = [c for c in history.columns if c.startswith(("loss", "wasserstein", "penalty"))]
    for column in loss_columns:
        ax_loss.plot(history["epoch"], history[column], marker=".", label=column)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean over the epoch")
    ax_loss.set_yscale("symlog", linthresh=1e-2)
    if loss_columns:
        ax_loss.legend(fontsize=7)
    ax_ncc.plot(history["epoch"], history["val_ncc"], marker="o", color="k")
    if history["val_ncc"].notna().any():
        best = history.loc[history["val_ncc"].idxmax()]
        ax_ncc.scatter([best["epoch"]], [best["val_ncc"]], s=120, facecolors="none", edgecolors="r", label="best")
        ax_ncc.legend(fontsize=7)
    ax_ncc.set_xlabel("epoch")
    ax_ncc.set_ylabel("validation NCC")
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
