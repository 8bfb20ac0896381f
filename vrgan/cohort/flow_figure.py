"""CONSORT-like box diagram of the cohort flow (``flow.png``)."""

from __future__ import annotations

import os

import pandas as pd
from matplotlib.figure import Figure

from vrgan.artefacts import save_figure

from .flow import flow_count

_BOX = {"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "black", "linewidth": 0.8}
_SIDE = {"boxstyle": "round,pad=0.4", "facecolor": "#f3f3f3", "edgecolor": "#777777", "linewidth": 0.8}


def _exclusions(flow: pd.DataFrame, box: str) -> str:
    rows = flow[(flow["box"] == box) & (flow["kind"] == "excluded") & (flow["n"] > 0)]
    if rows.empty:
        return ""
    total = rows.groupby("unit")["n"].sum()
    head = "Excluded: " + ", ".join(f"{n} {unit}" for unit, n in total.items())
    return head + "\n" + "\n".join(f"  {r.reason.replace('_', ' ')}: {r.n}" for r in rows.itertuples())


def draw_flow(flow: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Draw the flow table as boxes with exclusion side boxes and save it to ``path``.

    Parameters
    ----------
    flow : pandas.DataFrame
        ``flow.csv`` (``flow.build_flow``).
    path : path-like
        Output image (PNG).
    """
    main = [
        ("files", f"DICOM files found\nn = {flow_count(flow, 'files')}"),
        ("decoded images", f"Images decoded\nn = {flow_count(flow, 'decoded images')}"),
        ("PA images", f"PA images\nn = {flow_count(flow, 'PA images')}"),
        ("PA exams", f"PA exams (one image per study)\nn = {flow_count(flow, 'PA exams')}"),
        ("matched exams", f"Exams matched to a PFT (mutual nearest)\nn = {flow_count(flow, 'matched exams')}"),
        (
            "not lung transplant",
            "Exams of non-transplant patients\n"
            f"n = {flow_count(flow, 'not lung transplant')} "
            f"(COPD {flow_count(flow, 'not lung transplant', 'copd', 'branch')}, "
            f"no COPD {flow_count(flow, 'not lung transplant', 'no_copd', 'branch')})",
        ),
        (
            "subjects",
            f"Subjects\nn = {flow_count(flow, 'subjects')} "
            f"({flow_count(flow, 'subjects', 'eligible_for_pairs', 'branch')} with and without COPD, "
            f"{flow_count(flow, 'subjects', 'possible_pairs', 'branch')} possible pairs)",
        ),
    ]
    fig = Figure(figsize=(11, 12))
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0.1, 1)
    step = 0.105
    y = 0.96
    ys = {}
    for box, text in main:
        ys[box] = y
        ax.text(0.3, y, text, ha="center", va="center", fontsize=9, bbox=_BOX)
        side = _exclusions(flow, box)  # drawn beside the arrow that leads into the box
        if side:
            ax.annotate(
                "", xy=(0.55, y + step / 2), xytext=(0.3, y + step / 2), arrowprops={"arrowstyle": "->", "lw": 0.8}
            )
            ax.text(0.56, y + step / 2, side, ha="left", va="center", fontsize=7, bbox=_SIDE)
        y -= step
    for (a, _), (b, _) in zip(main[:-1], main[1:]):
        ax.annotate(
            "", xy=(0.3, ys[b] + 0.022), xytext=(0.3, ys[a] - 0.022), arrowprops={"arrowstyle": "->", "lw": 0.8}
        )
    pft_text = f"PFT rows\nn = {flow_count(flow, 'PFT rows')}\nValid PFTs n = {flow_count(flow, 'valid PFTs')}"
    side = _exclusions(flow, "valid PFTs")
    ax.text(
        0.86,
        ys["PA exams"] + 0.05,
        pft_text + ("\n" + side if side else ""),
        ha="center",
        va="center",
        fontsize=7,
        bbox=_BOX,
    )
    ax.annotate(
        "",
        xy=(0.45, ys["matched exams"]),
        xytext=(0.86, ys["PA exams"] - 0.03),
        arrowprops={"arrowstyle": "->", "lw": 0.8, "connectionstyle": "angle,angleA=-90,angleB=0"},
    )
    bottom = y - 0.01
    for i, split in enumerate(("train", "validation", "test")):
        x = 0.15 + 0.3 * i
        text = (
            f"{split.capitalize()}\n{flow_count(flow, 'splits', split, 'branch', 'subjects')} subjects, "
            f"{flow_count(flow, 'splits', split, 'branch', 'exams')} exams"
        )
        if split != "train":
            text += f"\n{flow_count(flow, 'pairs', split, 'branch')} pairs (x no COPD, x' COPD)"
        ax.text(x, bottom, text, ha="center", va="center", fontsize=9, bbox=_BOX)
        ax.annotate(
            "", xy=(x, bottom + 0.03), xytext=(0.3, ys["subjects"] - 0.022), arrowprops={"arrowstyle": "->", "lw": 0.8}
        )
    ax.set_title("Cohort flow", fontsize=12)
    save_figure(fig, path, dpi=100, bbox_inches="tight", metadata={"Software": None})
