"""PFT stage: the export's pulmonary-function-test CSV -> a clean, pseudonymised table.

Every data row is either accepted (``pft.parquet``) or rejected with the first reason of
``reasons.PFT_REASONS`` that applies (``pft_rejected.csv``); rows are numbered from 1 at the
first data row (the header is row 0), as in the demo export's ``truth/pft_rows.csv``.

The row checks (``pft_row_reason``) follow ``PftChecks``: the date format, and the plausible
range of FEV1 and FVC in litres (what falls outside is % predicted or mL, not litres). Then
rows of one patient and day whose FEV1/FVC disagree are all rejected
(``conflicting_duplicate``), and ``check_rejected_rows`` stops the stage when too large a
fraction of rows was rejected for their format, naming the column and the format found.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import pandas as pd

from .export import read_csv_text
from .privacy import Pseudonymizer

#: Roles of the PFT CSV columns; the config maps each role to a column name.
PFT_ROLES = ("patient_id", "date", "fev1", "fvc")
MISSING_TEXTS = frozenset({"", "na", "n/a", "nan", "null", "none"})
#: Smallest FEV1/FVC accepted. Very severe COPD rarely goes below about 0.25; a ratio under 0.10
#: is a unit error (FVC in mL and FEV1 in L gives about 0.001), not a measurement.
MIN_FEV1_FVC = 0.10

PFT_COLUMNS = ["pft_id", "row", "patient_key", "date", "fev1", "fvc", "fev1_fvc"]
REJECTED_COLUMNS = ["row", "reason", "message"]

#: The columns a row reason is about (for the stop message); unknown_patient is not a format problem.
REASON_COLUMNS: dict[str, tuple[str, ...]] = {
    "missing_value": ("patient_id", "date", "fev1", "fvc"),
    "unparsable_date": ("date",),
    "unparsable_number": ("fev1", "fvc"),
    "ratio_out_of_range": ("fev1", "fvc"),
    "fev1_gt_fvc": ("fev1", "fvc"),
    "volume_out_of_range": ("fev1", "fvc"),
    "conflicting_duplicate": ("date", "fev1", "fvc"),
}


class TooManyRejectedRows(ValueError):
    """More than the allowed fraction of PFT rows was rejected for their format."""


@dataclass(frozen=True)
class PftChecks:
    """The settings of the PFT row checks (``cohort.pft_*`` config keys).

    Parameters
    ----------
    date_format : str
        ``"iso"`` (``YYYY-MM-DD``, a time part dropped) or a ``strptime`` format such as
        ``"%d/%m/%Y"``.
    fev1_litres, fvc_litres : (float, float)
        Inclusive plausible range of FEV1 and FVC in litres.
    same_day_max_ratio_difference : float
        Rows of one patient and day whose FEV1/FVC differ by more than this conflict.
    max_rejected_fraction : float
        ``check_rejected_rows`` stops above this fraction of rows rejected for their format.
    """

    date_format: str = "iso"
    fev1_litres: tuple[float, float] = (0.1, 8.0)
    fvc_litres: tuple[float, float] = (0.2, 10.0)
    same_day_max_ratio_difference: float = 0.05
    max_rejected_fraction: float = 0.5

    def __post_init__(self) -> None:
        check_date_format(self.date_format)
        for name in ("fev1_litres", "fvc_litres"):
            low, high = getattr(self, name)
            if not 0 < low < high:
                raise ValueError(f"cohort.pft_{name} must be [min, max] with 0 < min < max, got {[low, high]}")

    @classmethod
    def from_settings(cls, cohort: Mapping) -> PftChecks:
        """From the ``cohort`` config section."""
        return cls(
            cohort["pft_date_format"],
            tuple(cohort["pft_fev1_litres"]),
            tuple(cohort["pft_fvc_litres"]),
            cohort["pft_same_day_max_ratio_difference"],
            cohort["pft_max_rejected_fraction"],
        )


def check_date_format(date_format: str) -> None:
    """Raise ValueError unless ``date_format`` is ``"iso"`` or a ``strptime`` format of a whole date.

    >>> check_date_format("%d/%m/%Y")
    """
    if date_format == "iso":
        return
    sample = dt.date(2001, 2, 3)  # day, month and year all differ
    try:
        ok = dt.datetime.strptime(sample.strftime(date_format), date_format).date() == sample
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"cohort.pft_date_format {date_format!r} is not 'iso' or a strptime format with day, month and year "
            "(e.g. '%d/%m/%Y', '%m/%d/%Y', '%d.%m.%Y')"
        )


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
        If a mapped column is not in the file, or the file is empty or not UTF-8 (the message
        names the file and what is wrong).
    """
    raw = read_csv_text(path, "cohort.pft_csv", dtype=str, keep_default_na=False)
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


def parse_pft_date(text: str, date_format: str = "iso") -> dt.date | None:
    """A date in ``date_format`` (``"iso"`` or a ``strptime`` format; see ``PftChecks``), else None."""
    if date_format == "iso":
        return parse_iso_date(text)
    try:
        return dt.datetime.strptime(text.strip(), date_format).date()
    except ValueError:
        return None


def format_shape(text: str) -> str:
    """The format of a value without the value: digits -> ``9``, letters -> ``A``.

    >>> format_shape("03/02/2015"), format_shape("85 %")
    ('99/99/9999', '99 %')
    """
    return re.sub(r"[^\W\d_]", "A", re.sub(r"\d", "9", text))


def parse_litres(text: str) -> float | None:
    """A finite number, else None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def pft_row_reason(
    patient_id: str,
    date: str,
    fev1: str,
    fvc: str,
    known_patients: Collection[str],
    pseudo: Pseudonymizer,
    checks: PftChecks = PftChecks(),
) -> tuple[str, str]:
    """The first rejection reason of one row, or ``("ok", "")``.

    Parameters
    ----------
    patient_id, date, fev1, fvc : str
        The row's text values.
    known_patients : collection of str
        Patient keys found in the DICOM export.
    pseudo : Pseudonymizer
    checks : PftChecks
        Date format and plausible ranges.

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
    if parse_pft_date(date, checks.date_format) is None:
        expected = "YYYY-MM-DD" if checks.date_format == "iso" else checks.date_format
        return "unparsable_date", f"date is not {expected}"
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
    for name, value, (low, high) in (("FEV1", v1, checks.fev1_litres), ("FVC", vc, checks.fvc_litres)):
        if not low <= value <= high:
            return (
                "volume_out_of_range",
                f"{name} {value:g} not in [{low:g}, {high:g}] L (cohort.pft_{name.lower()}_litres): "
                "% predicted or mL?",
            )
    if pseudo.patient(patient_id) not in known_patients:
        return "unknown_patient", "no DICOM file has this patient id"
    return "ok", ""


def conflicting_rows(rows: pd.DataFrame, max_ratio_difference: float) -> pd.Series:
    """Rows of one patient and day whose FEV1/FVC values differ by more than ``max_ratio_difference``.

    Repeated tests of one visit agree closely; rows that disagree more (another unit, another
    test mixed in) cannot both be right, and keeping one would let row order decide the label.

    Parameters
    ----------
    rows : pandas.DataFrame
        ``patient_key``, ``date`` and ``fev1_fvc`` of accepted rows.
    max_ratio_difference : float

    Returns
    -------
    pandas.Series of bool, aligned with ``rows``: True for every row of a conflicting day.
    """
    spread = rows.groupby(["patient_key", "date"])["fev1_fvc"].transform(lambda r: r.max() - r.min())
    return spread > max_ratio_difference + 1e-12


def clean_pfts(
    raw: pd.DataFrame, known_patients: Collection[str], pseudo: Pseudonymizer, checks: PftChecks = PftChecks()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the PFT rows into accepted and rejected ones; pseudonymise the accepted.

    Parameters
    ----------
    raw : pandas.DataFrame
        From ``read_pft_csv``.
    known_patients : collection of str
        Patient keys of the DICOM export.
    pseudo : Pseudonymizer
    checks : PftChecks
        Date format, plausible ranges and the same-day tolerance.

    Returns
    -------
    accepted : pandas.DataFrame
        ``PFT_COLUMNS``: ``pft_id`` (``"pft-000012"`` for row 12), ``row``, ``patient_key``,
        ``date`` (shifted like the patient's x-rays), ``fev1``, ``fvc`` (litres) and
        ``fev1_fvc``.
    rejected : pandas.DataFrame
        ``REJECTED_COLUMNS``: ``row``, ``reason`` (a ``PFT_REASONS`` code), ``message``,
        in row order.
    """
    known = set(known_patients)
    accepted, rejected = [], []
    for rec in raw.itertuples(index=False):
        reason, message = pft_row_reason(rec.patient_id, rec.date, rec.fev1, rec.fvc, known, pseudo, checks)
        if reason != "ok":
            rejected.append({"row": rec.row, "reason": reason, "message": message})
            continue
        fev1, fvc = float(rec.fev1), float(rec.fvc)
        accepted.append(
            {
                "pft_id": f"pft-{rec.row:06d}",
                "row": rec.row,
                "patient_key": pseudo.patient(rec.patient_id),
                "date": pseudo.shift(parse_pft_date(rec.date, checks.date_format), rec.patient_id),
                "fev1": fev1,
                "fvc": fvc,
                "fev1_fvc": fev1 / fvc,
            }
        )
    acc = pd.DataFrame(accepted, columns=PFT_COLUMNS)
    acc["date"] = pd.to_datetime(acc["date"]).astype("datetime64[s]")
    acc = acc.astype({"pft_id": "str", "row": "int64", "patient_key": "str"})
    conflict = conflicting_rows(acc, checks.same_day_max_ratio_difference)
    if conflict.any():
        spread = acc[conflict].groupby(["patient_key", "date"])["fev1_fvc"]
        low, high, n = spread.transform("min"), spread.transform("max"), spread.transform("size")
        rejected += [
            {
                "row": row,
                "reason": "conflicting_duplicate",
                "message": f"{k} rows of this patient and day disagree: FEV1/FVC {lo:.3f} to {hi:.3f} "
                f"(> {checks.same_day_max_ratio_difference:g} apart)",
            }
            for row, lo, hi, k in zip(acc.loc[conflict, "row"], low, high, n)
        ]
        acc = acc[~conflict].reset_index(drop=True)
    rej = pd.DataFrame(rejected, columns=REJECTED_COLUMNS).astype({"row": "int64", "reason": "str", "message": "str"})
    return acc, rej.sort_values("row").reset_index(drop=True)


def check_rejected_rows(
    raw: pd.DataFrame, rejected: pd.DataFrame, columns: Mapping[str, str], checks: PftChecks = PftChecks()
) -> None:
    """Stop when more than ``checks.max_rejected_fraction`` of the rows were rejected for their format.

    ``unknown_patient`` rows do not count: a PFT table often covers patients without x-rays.

    Parameters
    ----------
    raw : pandas.DataFrame
        From ``read_pft_csv`` (the values give the format examples).
    rejected : pandas.DataFrame
        From ``clean_pfts``.
    columns : mapping
        Role to column name in the file (``cohort.pft_columns``).
    checks : PftChecks

    Raises
    ------
    TooManyRejectedRows
        Naming ``cohort.pft_csv``, the fraction, and per reason (most frequent first, at most
        three) the count, the column(s) and the format of the first offending value (digits
        shown as 9, letters as A; never the value itself).
    """
    n = len(raw)
    if n == 0:
        raise TooManyRejectedRows("cohort.pft_csv has a header but no data rows")
    bad = rejected[rejected["reason"] != "unknown_patient"]
    if len(bad) / n <= checks.max_rejected_fraction:
        return
    by_row = raw.set_index("row")
    lines = []
    for reason, count in bad["reason"].value_counts().head(3).items():
        first = by_row.loc[bad.loc[bad["reason"] == reason, "row"].iloc[0]]
        roles = REASON_COLUMNS.get(reason, ())
        found = ", ".join(f"'{columns[r]}' like '{format_shape(str(first[r]))}'" for r in roles if r != "patient_id")
        lines.append(f"{reason}: {count} rows (column {found})" if found else f"{reason}: {count} rows")
    hint = ""
    if "unparsable_date" in set(bad["reason"]):
        hint = f"\ncohort.pft_date_format is {checks.date_format!r}: set it to the file's format (e.g. '%d/%m/%Y')"
    raise TooManyRejectedRows(
        f"cohort.pft_csv: {len(bad)} of {n} rows rejected ({len(bad) / n:.1%} > cohort.pft_max_rejected_fraction "
        f"{checks.max_rejected_fraction:.1%}); top reasons:\n" + "\n".join(lines) + hint
    )
