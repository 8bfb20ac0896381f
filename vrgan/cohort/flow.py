"""Flow stage: the count at every step of the cohort and the reason for every drop, the way
a clinical paper reports its cohort (the comparison with the demo export's ``truth/`` is in
``vrgan.demo.flow_truth``).

``flow.csv`` has one row per number: ``step`` (order), ``box`` (the step's name), ``kind``
(``count``: what remains after the step; ``excluded``: dropped at the step, with a
``reason``; ``branch``: a part of the count, e.g. one split, or a number beside it such as
the possible pairs), ``reason``, ``unit`` and ``n``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .reasons import OK

FLOW_COLUMNS = ["step", "box", "kind", "reason", "unit", "n"]


def build_flow(
    ingest: pd.DataFrame,
    pft: pd.DataFrame,
    pft_rejected: pd.DataFrame,
    extra_images: pd.DataFrame,
    unmatched: pd.DataFrame,
    matches: pd.DataFrame,
    transplant_excluded: int,
    cohort: pd.DataFrame,
    splits: pd.DataFrame,
    pairs: pd.DataFrame,
    transplant_ids: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The flow table from the stage outputs.

    Parameters
    ----------
    ingest : ``ingest.parquet``
    pft, pft_rejected : ``pft.parquet``, ``pft_rejected.csv``
    extra_images : ``extra_images.csv`` (PA images dropped, one image per study)
    unmatched : ``unmatched.csv`` (``kind`` exam/pft, ``reason``)
    matches : ``matches.parquet``
    transplant_excluded : int
        Matched exams of lung-transplant patients.
    cohort, splits, pairs : ``cohort.parquet``, ``splits.csv``, ``pairs.parquet``
    transplant_ids : mapping, optional
        ``TransplantMatch.counts()`` (``transplant_ids_listed``, ...), from ``cohort.json``:
        branch rows of step 8 in unit ``transplant ids``.

    Returns
    -------
    pandas.DataFrame
        ``FLOW_COLUMNS``.
    """
    rows: list[tuple[int, str, str, str, str, int]] = []

    def add(step: int, box: str, kind: str, reason: str, unit: str, n: int) -> None:
        rows.append((step, box, kind, reason, unit, int(n)))

    decoded = ingest[ingest["status"] == OK]
    add(1, "files", "count", "", "files", len(ingest))
    for status, n in ingest.loc[ingest["status"] != OK, "status"].value_counts().sort_index().items():
        add(2, "decoded images", "excluded", status, "files", n)
    add(2, "decoded images", "count", "", "images", len(decoded))
    for view, n in decoded.loc[decoded["view"] != "PA", "view"].value_counts().sort_index().items():
        add(3, "PA images", "excluded", f"view_{view}", "images", n)
    add(3, "PA images", "count", "", "images", int((decoded["view"] == "PA").sum()))
    sources = decoded.loc[decoded["view"] == "PA", "view_source"].fillna("none").value_counts().sort_index()
    for source, n in sources.items():
        add(3, "PA images", "branch", f"view_source_{source}", "images", n)
    add(4, "PA exams", "excluded", "extra_pa_image_in_study", "images", len(extra_images))
    n_exams = int((decoded["view"] == "PA").sum()) - len(extra_images)
    add(4, "PA exams", "count", "", "exams", n_exams)
    add(5, "PFT rows", "count", "", "pft rows", len(pft) + len(pft_rejected))
    for reason, n in pft_rejected["reason"].value_counts().sort_index().items():
        add(6, "valid PFTs", "excluded", reason, "pft rows", n)
    add(6, "valid PFTs", "count", "", "pfts", len(pft))
    for (kind, reason), n in unmatched.groupby(["kind", "reason"]).size().sort_index().items():
        add(7, "matched exams", "excluded", reason, "exams" if kind == "exam" else "pfts", n)
    add(7, "matched exams", "count", "", "exams", len(matches))
    add(8, "not lung transplant", "excluded", "lung_transplant_patient", "exams", transplant_excluded)
    for reason, n in (transplant_ids or {}).items():
        add(8, "not lung transplant", "branch", reason, "transplant ids", n)
    add(8, "not lung transplant", "count", "", "exams", len(cohort))
    add(8, "not lung transplant", "branch", "copd", "exams", int(cohort["copd"].sum()))
    add(8, "not lung transplant", "branch", "no_copd", "exams", int((~cohort["copd"]).sum()))
    add(9, "subjects", "count", "", "subjects", cohort["patient_key"].nunique())
    add(9, "subjects", "branch", "eligible_for_pairs", "subjects", int(splits["eligible"].sum()))
    eligible = splits[splits["eligible"]]
    add(9, "subjects", "branch", "possible_pairs", "pairs", int((eligible["n_copd"] * eligible["n_non_copd"]).sum()))
    exams_per_split = cohort.merge(splits, on="patient_key")["split"].value_counts()
    for split in ("train", "validation", "test"):
        add(10, "splits", "branch", split, "subjects", int((splits["split"] == split).sum()))
        add(10, "splits", "branch", split, "exams", int(exams_per_split.get(split, 0)))
    for split in ("validation", "test"):
        add(11, "pairs", "branch", split, "pairs", int((pairs["split"] == split).sum()))
    add(11, "pairs", "count", "", "pairs", len(pairs))
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)


def flow_count(flow: pd.DataFrame, box: str, reason: str = "", kind: str = "count", unit: str | None = None) -> int:
    """One number of the flow table (0 when absent)."""
    sel = (flow["box"] == box) & (flow["kind"] == kind) & (flow["reason"].fillna("") == reason)
    if unit is not None:
        sel &= flow["unit"] == unit
    return int(flow.loc[sel, "n"].sum())
