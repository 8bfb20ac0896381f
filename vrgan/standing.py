"""Where each method stands between the floor and the ceiling: the report's floor-and-ceiling
tables and the toy's NCC by scale.

- The **floor** is the best *input-independent* map (:data:`vrgan.evaluation.INPUT_INDEPENDENT`:
  the mean validation map or the constant ring), the score that needs no learning at all.
- The **ceiling** is a model trained with the ground truth itself (method ``supervised``, when the
  run trains it): what is learnable from these images with this network.
- The **input-specific NCC** (``specific_mean``) scores what a map adapts to its input: 0 for a
  constant map and for the mean validation map, about 0 for any map that ignores its input.

Every function is pure: ``summary.csv`` tables in (:func:`vrgan.evaluation.summary_table`),
report tables out (strings, ``—`` where a value is missing).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from vrgan import paper
from vrgan.evaluation import INPUT_INDEPENDENT
from vrgan.tables import format_mean_std

__all__ = ["LABELS", "floor_ceiling_table", "floor_method", "scale_ncc_table"]

#: Method -> its name in the report's tables (any other method keeps its own name).
LABELS = {
    "supervised": "supervised ceiling",
    "vrgan": "VR-GAN",
    "vagan": "VA-GAN",
    "negative_image": "Δx = −x",
    "constant_ring": "constant ring",
    "mean_validation_map": "mean validation map",
}
CEILING = "supervised"
#: Counterfactual-validity columns -> their key in ``counterfactual_summary.csv``.
VALIDITY = {"|R_ind(x′) − y′|": "mae", "corr(R_ind(x′), y′)": "corr"}
ROLES = {
    CEILING: "ceiling: trained on the ground truth",
    "negative_image": "trivial, uses the input",
}


def _cell(mean: float | None, std: float | None = None) -> str:
    return format_mean_std(mean, std)


def _rows(summary: pd.DataFrame, pairs: str) -> pd.DataFrame:
    if "pairs" in summary.columns:
        summary = summary[summary["pairs"] == pairs]
    return summary.reset_index(drop=True)


def floor_method(summary: pd.DataFrame, pairs: str = "all") -> str | None:
    """The input-independent baseline with the best whole-image NCC (None: none in ``summary``)."""
    rows = _rows(summary, pairs)
    candidates = rows[rows["method"].isin(INPUT_INDEPENDENT) & rows["mean"].notna()]
    return None if candidates.empty else str(candidates.loc[candidates["mean"].idxmax(), "method"])


def floor_ceiling_table(
    summary: pd.DataFrame, validity: pd.DataFrame | None = None, pairs: str = "all"
) -> pd.DataFrame:
    """One study's methods and baselines between the floor and the ceiling.

    Parameters
    ----------
    summary : DataFrame
        A ``summary.csv`` (``method, kind, [pairs,] n_seeds, mean, std, [specific_mean,
        specific_std,] [overlap_mean, overlap_std]``); any trained method is a row (``supervised``
        as the ceiling).
    validity : DataFrame, optional
        Counterfactual validity per method, ``counterfactual_summary.csv``
        (:func:`vrgan.counterfactual.counterfactual_summary`: ``method, mae_mean, mae_std,
        corr_mean, corr_std``, mean ± std over seeds); adds its two columns when given.
    pairs : str
        The subset of x-ray test pairs of tables with a ``pairs`` column.

    Returns
    -------
    DataFrame with columns ``method, role, NCC, input-specific NCC``, then ``NCC in the
    registration overlap`` when ``summary`` has it, and ``|R_ind(x′) − y′|`` and
    ``corr(R_ind(x′), y′)`` with ``validity``. Rows: the ceiling, the other models, then the baselines, best NCC first.
    """
    rows = _rows(summary, pairs)
    floor = floor_method(summary, pairs)
    order = rows.assign(
        group=[0 if m == CEILING else 1 if k == "model" else 2 for m, k in zip(rows["method"], rows["kind"])]
    ).sort_values(["group", "mean"], ascending=[True, False], kind="stable", na_position="last")
    scores = {"NCC": ("mean", "std"), "input-specific NCC": ("specific_mean", "specific_std")}
    if "overlap_mean" in rows.columns:
        scores["NCC in the registration overlap"] = ("overlap_mean", "overlap_std")
    valid: dict[str, dict[str, str]] = {}
    if validity is not None:
        valid = {
            r["method"]: {name: _cell(r.get(f"{key}_mean"), r.get(f"{key}_std")) for name, key in VALIDITY.items()}
            for _, r in _rows(validity, pairs).iterrows()
        }
    table = []
    for _, r in order.iterrows():
        method = r["method"]
        if method == floor:
            role = "**floor**: best input-independent map"
        elif method in INPUT_INDEPENDENT:
            role = "input-independent map"
        else:
            role = ROLES.get(method, "learned" if r["kind"] == "model" else "baseline")
        row = {"method": LABELS.get(method, method), "role": role}
        for name, (mean, std) in scores.items():
            row[name] = _cell(r.get(mean), r.get(std))
        if validity is not None:
            row |= valid.get(method, dict.fromkeys(VALIDITY, "—"))
        table.append(row)
    columns = ["method", "role", *scores] + (list(VALIDITY) if validity is not None else [])
    return pd.DataFrame(table, columns=columns)


def scale_ncc_table(summary: pd.DataFrame | None, floor: pd.DataFrame | None, size: int | None = None) -> pd.DataFrame:
    """The toy's test NCC by scale: the paper's models, our trivial maps at the paper's scale
    (``paper_floor.csv``, no training) and this run's models and baselines.

    Parameters
    ----------
    summary : DataFrame or None
        The toy's ``summary.csv``.
    floor : DataFrame or None
        ``paper_floor.csv`` (``method, size, ncc, ncc_specific, n_pairs, …``).
    size : int, optional
        This run's image side, for the column title.

    Returns
    -------
    DataFrame with columns ``method``, the paper's, the floor's and this run's NCC.
    """
    floor_size = int(floor["size"].iloc[0]) if floor is not None and len(floor) else None
    floor_pairs = int(floor["n_pairs"].max()) if floor is not None and len(floor) else None
    columns = {
        "paper": "paper (224 px, 5 seeds)",
        "floor": f"trivial maps at {floor_size or '?'} px, {floor_pairs or '?'} test pairs, no training",
        "ours": f"this run ({size or '?'} px)",
    }
    ours = {} if summary is None else {r["method"]: _cell(r["mean"], r["std"]) for _, r in summary.iterrows()}
    floors = {} if floor is None else dict(zip(floor["method"], floor["ncc"]))
    published = paper.NCC["toy"]
    methods = [CEILING] * (CEILING in ours) + ["vrgan", "vagan"]
    methods += [m for m in ours if m not in (CEILING, "vrgan", "vagan")]
    methods += [m for m in floors if m not in methods]
    rows = []
    for method in methods:
        rows.append(
            {
                "method": LABELS.get(method, method),
                columns["paper"]: _cell(*published[method]) if method in published else "—",
                columns["floor"]: _cell(floors[method]) if method in floors else "—",
                columns["ours"]: ours.get(method, "—"),
            }
        )
    return pd.DataFrame(rows, columns=["method", *columns.values()])
