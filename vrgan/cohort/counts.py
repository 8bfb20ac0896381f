"""The counts of each cohort stage's JSON summary (``summary.json``: stage, counts, parameters).

One function per stage, from the tables the stage writes, so that what a summary says is tested
here and the adapters only write it. Every count is a plain ``int`` (or a dict of them, or a
float for a mean), ready for JSON.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["ingest_counts", "pft_counts", "match_counts", "filter_counts", "split_counts"]


def _value_counts(values: pd.Series) -> dict[str, int]:
    """``{value: n}`` in sorted order of the values, with plain ints."""
    return {str(k): int(n) for k, n in values.value_counts().sort_index().items()}


def ingest_counts(table: pd.DataFrame) -> dict[str, Any]:
    """Files, files per status and views of the decoded (``ok``) images of ``ingest.parquet``.

    Parameters
    ----------
    table : DataFrame
        One row per file with ``status`` and ``view``.
    """
    return {
        "files": len(table),
        **_value_counts(table["status"]),
        "views_of_decoded": _value_counts(table.loc[table["status"] == "ok", "view"]),
    }


def pft_counts(accepted: pd.DataFrame, rejected: pd.DataFrame) -> dict[str, int]:
    """Rows read, rows kept (``ok``) and rows rejected per reason of the PFT stage."""
    return {"rows": len(accepted) + len(rejected), "ok": len(accepted), **_value_counts(rejected["reason"])}


def match_counts(
    exams: pd.DataFrame,
    not_pa: pd.DataFrame,
    extra: pd.DataFrame,
    pfts: pd.DataFrame,
    matches: pd.DataFrame,
    unmatched: pd.DataFrame,
) -> dict[str, Any]:
    """PA images and exams, PFTs, matches and the unmatched per ``kind/reason`` of the match stage.

    Parameters
    ----------
    exams, not_pa, extra : DataFrame
        ``select_pa_exams``'s PA exams (one image each), other views and extra PA images.
    pfts : DataFrame
        The accepted PFT rows.
    matches, unmatched : DataFrame
        ``match_exams``'s matches (with ``days_apart``) and unmatched (``kind``, ``reason``).
    """
    by_reason = unmatched.groupby(["kind", "reason"]).size()
    return {
        "pa_images": len(exams) + len(extra),
        "not_pa_images": len(not_pa),
        "extra_pa_images": len(extra),
        "pa_exams": len(exams),
        "pfts": len(pfts),
        "matches": len(matches),
        "unmatched": {f"{kind}/{reason}": int(n) for (kind, reason), n in by_reason.items()},
        "mean_days_apart": float(matches["days_apart"].mean()) if len(matches) else None,
    }


def filter_counts(
    matches: pd.DataFrame, excluded: pd.DataFrame, cohort: pd.DataFrame, transplant_ids: dict[str, int]
) -> dict[str, int]:
    """Matched exams, transplant exclusions and the cohort's exams, subjects and COPD exams.

    Parameters
    ----------
    matches : DataFrame
        The match stage's matches.
    excluded : DataFrame
        Matched exams of transplant patients (``patient_key``).
    cohort : DataFrame
        ``build_cohort``'s cohort (``patient_key``, ``copd``).
    transplant_ids : dict
        ``TransplantMatch.counts()``: how the transplant list's ids were matched.
    """
    return {
        "matched_exams": len(matches),
        "transplant_exams_excluded": len(excluded),
        "transplant_patients_excluded": int(excluded["patient_key"].nunique()),
        "exams": len(cohort),
        "subjects": int(cohort["patient_key"].nunique()),
        "copd_exams": int(cohort["copd"].sum()),
        **transplant_ids,
    }


def split_counts(cohort: pd.DataFrame, splits: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, Any]:
    """Subjects, exams and pairs per split, and the mean days between the exams of a pair.

    Parameters
    ----------
    cohort : DataFrame
        One row per exam (``patient_key``).
    splits : DataFrame
        ``split_subjects``'s ``patient_key`` and ``split``.
    pairs : DataFrame
        ``make_pairs``'s pairs (``split``, ``days_between``).
    """
    return {
        "subjects": _value_counts(splits["split"]),
        "exams": _value_counts(cohort.merge(splits, on="patient_key")["split"]),
        "pairs": _value_counts(pairs["split"]),
        "mean_days_between_paired_exams": float(pairs["days_between"].abs().mean()) if len(pairs) else None,
    }
