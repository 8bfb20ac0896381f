"""Flow stage: the count at every step of the cohort and the reason for every drop, the way
a clinical paper reports its cohort, and the comparison with the demo export's ``truth/``.

``flow.csv`` has one row per number: ``step`` (order), ``box`` (the step's name), ``kind``
(``count``: what remains after the step; ``excluded``: dropped at the step, with a
``reason``; ``branch``: a part of the count, e.g. one split), ``reason``, ``unit`` and ``n``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from .privacy import Pseudonymizer
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
    add(8, "not lung transplant", "count", "", "exams", len(cohort))
    add(8, "not lung transplant", "branch", "copd", "exams", int(cohort["copd"].sum()))
    add(8, "not lung transplant", "branch", "no_copd", "exams", int((~cohort["copd"]).sum()))
    add(9, "subjects", "count", "", "subjects", cohort["patient_key"].nunique())
    add(9, "subjects", "branch", "eligible_for_pairs", "subjects", int(splits["eligible"].sum()))
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


def observed_counts(flow: pd.DataFrame) -> dict[str, int]:
    """Flow numbers named like the demo export's ``truth/summary.json`` entries."""
    counts = {"files": flow_count(flow, "files"), "pft_rows": flow_count(flow, "PFT rows")}
    counts["files_by_status.ok"] = flow_count(flow, "decoded images")
    for r in flow[(flow["box"] == "decoded images") & (flow["kind"] == "excluded")].itertuples():
        counts[f"files_by_status.{r.reason}"] = int(r.n)
    counts["pft_rows_by_status.ok"] = flow_count(flow, "valid PFTs")
    for r in flow[(flow["box"] == "valid PFTs") & (flow["kind"] == "excluded")].itertuples():
        counts[f"pft_rows_by_status.{r.reason}"] = int(r.n)
    for r in flow[flow["kind"] == "count"].itertuples():
        counts.setdefault(r.box.replace(" ", "_"), int(r.n))
    return counts


def _flatten(payload: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def compare_flow_with_truth(
    flow: pd.DataFrame,
    truth_dir: str | os.PathLike[str],
    ingest: pd.DataFrame | None = None,
    pft_rejected: pd.DataFrame | None = None,
    pseudo: Pseudonymizer | None = None,
) -> pd.DataFrame:
    """Compare the flow (and, if given, each file and PFT row) with a demo export's truth.

    Parameters
    ----------
    flow : pandas.DataFrame
        ``flow.csv``.
    truth_dir : path-like
        ``<export>/truth`` with ``files.csv`` (``path``, ``expected_status``, ``view``),
        ``pft_rows.csv`` (``row``, ``expected_status``) and ``summary.json``.
    ingest, pft_rejected : pandas.DataFrame, optional
        ``ingest.parquet`` and ``pft_rejected.csv`` for the per-file and per-row checks.
    pseudo : Pseudonymizer, optional
        The run's pseudonymizer: truth paths are hashed to ``file_key`` to find the files.

    Returns
    -------
    pandas.DataFrame
        Columns ``check``, ``expected``, ``observed``, ``agrees`` (``<NA>`` where the flow has
        no such number). Counts by status from ``files.csv`` / ``pft_rows.csv``, every
        numeric ``summary.json`` entry (nested keys joined by dots) and, when the tables are
        given, how many files/rows/views agree one by one. No path or patient id is output.
    """
    truth_dir = Path(truth_dir)
    observed = observed_counts(flow)
    checks: list[tuple[str, Any, Any]] = []
    files = pd.read_csv(truth_dir / "files.csv", dtype=str, keep_default_na=False)
    rows = pd.read_csv(truth_dir / "pft_rows.csv", dtype={"row": "int64", "expected_status": str})
    expected = {"files": len(files), "pft_rows": len(rows)}
    expected |= {f"files_by_status.{k}": v for k, v in files["expected_status"].value_counts().items()}
    expected |= {f"pft_rows_by_status.{k}": v for k, v in rows["expected_status"].value_counts().items()}
    summary_path = truth_dir / "summary.json"
    if summary_path.is_file():
        for key, value in _flatten(json.loads(summary_path.read_text())).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                expected.setdefault(key, value)
    for key in sorted(set(expected) | {k for k in observed if k.startswith(("files_by", "pft_rows_by"))}):
        checks.append((key, expected.get(key, 0), observed.get(key)))
    if ingest is not None and pseudo is not None:
        status = ingest.set_index("file_key")
        keys = files["path"].map(pseudo.file)
        found = keys.map(status["status"])
        checks.append(("files found one by one", len(files), int(found.notna().sum())))
        checks.append(("files with the expected status", len(files), int((found == files["expected_status"]).sum())))
        ok = files["expected_status"] == "ok"
        if "view" in files.columns:
            views = keys[ok].map(status["view"])
            checks.append(
                ("ok files with the expected view", int(ok.sum()), int((views == files.loc[ok, "view"]).sum()))
            )
    if pft_rejected is not None:
        got = rows["row"].map(pft_rejected.set_index("row")["reason"]).fillna(OK)
        checks.append(("PFT rows with the expected status", len(rows), int((got == rows["expected_status"]).sum())))
    table = pd.DataFrame(checks, columns=["check", "expected", "observed"])
    table["agrees"] = pd.array(
        [None if pd.isna(o) else float(e) == float(o) for e, o in zip(table["expected"], table["observed"])],
        dtype="boolean",
    )
    return table
