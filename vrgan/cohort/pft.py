"""PFT stage: the export's pulmonary-function-test CSV -> a clean, pseudonymised table.

Every data row is either accepted (``pft.parquet``) or rejected with the first reason of
``reasons.PFT_REASONS`` that applies (``pft_rejected.csv``); rows are numbered from 1 at the
first data row (the header is row 0), as in the demo export's ``truth/pft_rows.csv``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Collection, Mapping

import pandas as pd

from .privacy import Pseudonymizer

#: Roles of the PFT CSV columns; the config maps each role to a column name.
PFT_ROLES = ("patient_id", "date", "fev1", "fvc")
MISSING_TEXTS = frozenset({"", "na", "n/a", "nan", "null", "none"})
#: Smallest FEV1/FVC accepted. Very severe COPD rarely goes below about 0.25; a ratio under 0.10
#: is a unit error (FVC in mL and FEV1 in L gives about 0.001), not a measurement.
MIN_FEV1_FVC = 0.10

PFT_COLUMNS = ["pft_id", "row", "patient_key", "date", "fev1", "fvc", "fev1_fvc"]
REJECTED_COLUMNS = ["row", "reason", "message"]


def read_pft_csv(path: str | os.PathLike[str], columns: Mapping[str, str]) -> pd.DataFrame:
    """Read the PFT CSV as text, one column per role, with the 1-based ``row`` number.

    Parameters
    ----------
    path : path-like
    columns : mapping
        Role (``patient_id``, ``date``, ``fev1``, ``fvc``) to column name in the file.

    Returns
    -------
    pandas.DataFrame
        Columns ``row`` and the four roles, all values as stripped strings.

    Raises
    ------
    ValueError
        If a mapped column is not in the file (the message names it and the file).
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [f"{role} -> '{columns[role]}'" for role in PFT_ROLES if columns[role] not in raw.columns]
    if missing:
        raise ValueError(f"PFT CSV {path} lacks required column(s) {', '.join(missing)}; it has {list(raw.columns)}")
    table = pd.DataFrame({role: raw[columns[role]].astype(str).str.strip() for role in PFT_ROLES})
    table.insert(0, "row", range(1, len(table) + 1))
    return table


def parse_iso_date(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` (a time part is allowed and dropped) as a date, else None."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return None


def parse_litres(text: str) -> float | None:
    """A finite number, else None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def pft_row_reason(
    patient_id: str, date: str, fev1: str, fvc: str, known_patients: Collection[str], pseudo: Pseudonymizer
) -> tuple[str, str]:
    """The first rejection reason of one row, or ``("ok", "")``.

    Parameters
    ----------
    patient_id, date, fev1, fvc : str
        The row's text values.
    known_patients : collection of str
        Patient keys found in the DICOM export.
    pseudo : Pseudonymizer

    Returns
    -------
    reason, message : str
    """
    empty = [
        name
        for name, value in (("patient_id", patient_id), ("date", date), ("fev1", fev1), ("fvc", fvc))
        if value.strip().lower() in MISSING_TEXTS
    ]
    if empty:
        return "missing_value", "empty: " + ", ".join(empty)
    if parse_iso_date(date) is None:
        return "unparsable_date", "date is not YYYY-MM-DD"
    v1, vc = parse_litres(fev1), parse_litres(fvc)
    if v1 is None or vc is None:
        return "unparsable_number", "FEV1 or FVC is not a finite number"
    if v1 <= 0 or vc <= 0:
        return "ratio_out_of_range", f"FEV1 {v1:g} L, FVC {vc:g} L: FEV1/FVC not in (0, 1]"
    if v1 > vc:
        return "fev1_gt_fvc", f"FEV1 {v1:g} L > FVC {vc:g} L"
    if v1 / vc < MIN_FEV1_FVC:
        return (
            "ratio_out_of_range",
            f"FEV1 {v1:g} L, FVC {vc:g} L: FEV1/FVC {v1 / vc:.4f} < {MIN_FEV1_FVC} (unit error?)",
        )
    if pseudo.patient(patient_id) not in known_patients:
        return "unknown_patient", "no DICOM file has this patient id"
    return "ok", ""


def clean_pfts(
    raw: pd.DataFrame, known_patients: Collection[str], pseudo: Pseudonymizer
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the PFT rows into accepted and rejected ones; pseudonymise the accepted.

    Parameters
    ----------
    raw : pandas.DataFrame
        From ``read_pft_csv``.
    known_patients : collection of str
        Patient keys of the DICOM export.
    pseudo : Pseudonymizer

    Returns
    -------
    accepted : pandas.DataFrame
        ``PFT_COLUMNS``: ``pft_id`` (``"pft-000012"`` for row 12), ``row``, ``patient_key``,
        ``date`` (shifted like the patient's x-rays), ``fev1``, ``fvc`` (litres) and
        ``fev1_fvc``.
    rejected : pandas.DataFrame
        ``REJECTED_COLUMNS``: ``row``, ``reason`` (a ``PFT_REASONS`` code), ``message``.
    """
    known = set(known_patients)
    accepted, rejected = [], []
    for rec in raw.itertuples(index=False):
        reason, message = pft_row_reason(rec.patient_id, rec.date, rec.fev1, rec.fvc, known, pseudo)
        if reason != "ok":
            rejected.append({"row": rec.row, "reason": reason, "message": message})
            continue
        fev1, fvc = float(rec.fev1), float(rec.fvc)
        accepted.append(
            {
                "pft_id": f"pft-{rec.row:06d}",
                "row": rec.row,
                "patient_key": pseudo.patient(rec.patient_id),
                "date": pseudo.shift(parse_iso_date(rec.date), rec.patient_id),
                "fev1": fev1,
                "fvc": fvc,
                "fev1_fvc": fev1 / fvc,
            }
        )
    acc = pd.DataFrame(accepted, columns=PFT_COLUMNS)
    acc["date"] = pd.to_datetime(acc["date"]).astype("datetime64[s]")
    acc = acc.astype({"pft_id": "str", "row": "int64", "patient_key": "str"})
    rej = pd.DataFrame(rejected, columns=REJECTED_COLUMNS).astype({"row": "int64", "reason": "str", "message": "str"})
    return acc, rej
