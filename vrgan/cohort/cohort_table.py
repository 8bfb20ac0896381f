"""From the ingest and PFT tables to the cohort table: PA exams, matches, filters, labels."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .matching import choose_one_image_per_study, match_pfts_to_exams
from .reasons import OK

#: Image columns carried from ``ingest.parquet`` into the exam and cohort tables.
IMAGE_COLUMNS = [
    "patient_key",
    "exam_key",
    "image_key",
    "date",
    "view",
    "view_source",
    "modality",
    "rows",
    "columns",
    "series_number",
    "instance_number",
    "photometric",
    "inverted",
]

MATCHES_COLUMNS = [
    "patient_key",
    "exam_key",
    "image_key",
    "pft_id",
    "exam_date",
    "pft_date",
    "days_apart",
    "pft_minus_exam_days",
]

COHORT_COLUMNS = [
    "patient_key",
    "exam_key",
    "image_key",
    "exam_date",
    "view",
    "view_source",
    "modality",
    "rows",
    "columns",
    "photometric",
    "inverted",
    "pft_id",
    "pft_date",
    "days_apart",
    "fev1",
    "fvc",
    "y",
    "copd",
]


def select_pa_exams(ingest: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Decoded PA images, one per study.

    Parameters
    ----------
    ingest : pandas.DataFrame
        ``ingest.parquet``.

    Returns
    -------
    exams : pandas.DataFrame
        One PA image per ``exam_key`` (``IMAGE_COLUMNS``), see ``choose_one_image_per_study``.
    not_pa : pandas.DataFrame
        Decoded images with another view (``IMAGE_COLUMNS``).
    extra : pandas.DataFrame
        PA images dropped because their study has a preferred PA image (with
        ``kept_image_key``).
    """
    decoded = ingest.loc[ingest["status"] == OK, IMAGE_COLUMNS]
    is_pa = decoded["view"] == "PA"
    exams, extra = choose_one_image_per_study(decoded[is_pa])
    return exams, decoded[~is_pa].reset_index(drop=True), extra


def match_exams(exams: pd.DataFrame, pfts: pd.DataFrame, window_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Match PA exams and PFTs, and say why the unmatched ones were left.

    Parameters
    ----------
    exams : pandas.DataFrame
        From ``select_pa_exams`` (``patient_key``, ``exam_key``, ``image_key``, ``date``).
    pfts : pandas.DataFrame
        ``pft.parquet`` (``patient_key``, ``pft_id``, ``date``).
    window_days : int

    Returns
    -------
    matches : pandas.DataFrame
        ``MATCHES_COLUMNS``.
    unmatched : pandas.DataFrame
        ``kind`` (``exam`` or ``pft``), ``id`` (exam key or PFT id) and ``reason``:
        ``no_pft_within_window`` / ``no_exam_within_window`` (no candidate at all) or
        ``closer_exam_took_pft`` / ``closer_pft_took_exam`` (its nearest partner was matched
        to a closer one).
    """
    found = match_pfts_to_exams(
        exams.rename(columns={"patient_key": "patient_id", "exam_key": "exam_id"}),
        pfts.rename(columns={"patient_key": "patient_id"}),
        window_days,
    )
    matches = found.rename(columns={"patient_id": "patient_key", "exam_id": "exam_key"})
    matches["image_key"] = matches["exam_key"].map(exams.set_index("exam_key")["image_key"])
    candidates = exams[["patient_key", "exam_key", "date"]].merge(
        pfts[["patient_key", "pft_id", "date"]], on="patient_key", suffixes=("_exam", "_pft")
    )
    near = candidates[(candidates["date_pft"] - candidates["date_exam"]).abs() <= pd.Timedelta(days=window_days)]
    left_exams = exams.loc[~exams["exam_key"].isin(matches["exam_key"]), "exam_key"]
    left_pfts = pfts.loc[~pfts["pft_id"].isin(matches["pft_id"]), "pft_id"]
    unmatched = pd.concat(
        [
            pd.DataFrame(
                {
                    "kind": "exam",
                    "id": left_exams,
                    "reason": np.where(
                        left_exams.isin(near["exam_key"]), "closer_exam_took_pft", "no_pft_within_window"
                    ),
                }
            ),
            pd.DataFrame(
                {
                    "kind": "pft",
                    "id": left_pfts,
                    "reason": np.where(left_pfts.isin(near["pft_id"]), "closer_pft_took_exam", "no_exam_within_window"),
                }
            ),
        ],
        ignore_index=True,
    )
    return matches[MATCHES_COLUMNS], unmatched


def copd_label(y: ArrayLike, threshold: float = 0.7) -> NDArray[np.bool_]:
    """COPD as defined by spirometry: FEV1/FVC below ``threshold`` (GOLD: 0.70)."""
    return np.asarray(y, dtype=float) < threshold


def build_cohort(
    matches: pd.DataFrame,
    exams: pd.DataFrame,
    pfts: pd.DataFrame,
    transplant_patients: Collection[str],
    copd_threshold: float = 0.7,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matched PA exams of non-transplant patients, with the label y = FEV1/FVC and COPD.

    Parameters
    ----------
    matches : pandas.DataFrame
        ``MATCHES_COLUMNS`` (``matches.parquet``).
    exams : pandas.DataFrame
        Image facts by ``exam_key`` (``IMAGE_COLUMNS``).
    pfts : pandas.DataFrame
        ``pft.parquet``.
    transplant_patients : collection of str
        Patient keys of lung-transplant recipients (excluded, all their exams).
    copd_threshold : float

    Returns
    -------
    cohort : pandas.DataFrame
        ``COHORT_COLUMNS``, one row per exam, sorted by patient and date.
    excluded : pandas.DataFrame
        Matched exams of transplant patients (``exam_key``, ``patient_key``).
    """
    facts = exams.drop(columns=["patient_key", "image_key", "date"]).set_index("exam_key")
    table = matches.join(facts, on="exam_key").merge(pfts[["pft_id", "fev1", "fvc", "fev1_fvc"]], on="pft_id")
    table = table.rename(columns={"fev1_fvc": "y"})
    table["copd"] = copd_label(table["y"], copd_threshold)
    transplant = table["patient_key"].isin(set(transplant_patients))
    cohort = table.loc[~transplant, COHORT_COLUMNS].sort_values(["patient_key", "exam_date", "exam_key"])
    return cohort.reset_index(drop=True), table.loc[transplant, ["exam_key", "patient_key"]].reset_index(drop=True)
