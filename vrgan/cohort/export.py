"""Where the export lies, and the checks that run before any work.

The export format (also the bring-your-own-data format): ``dicom_dir`` (any folder tree of
DICOM files), a PFT CSV with a patient id, an ISO date, FEV1 and FVC in litres, and an
optional CSV of lung-transplant patients. The embedded demo export is the demo wing's
(``vrgan.demo.export``).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

TRANSPLANT_ROLES = ("patient_id",)


@dataclass(frozen=True)
class ExportPaths:
    """The three inputs of the cohort stages."""

    dicom_dir: Path
    pft_csv: Path
    transplants_csv: Path | None


def export_paths(cohort: Mapping[str, Any]) -> ExportPaths:
    """Paths of the user's export named by the ``cohort:`` config section (``source: export``).

    Parameters
    ----------
    cohort : mapping
        The ``cohort`` section (``dicom_dir``, ``pft_csv``, ``transplants_csv``).

    Raises
    ------
    ValueError
        Naming the key that is not set.
    """
    if cohort["source"] != "export":
        raise ValueError(
            f"cohort.source is {cohort['source']!r}: the paths of the demo export are the demo wing's (vrgan.demo)"
        )
    for key in ("dicom_dir", "pft_csv"):
        if not cohort.get(key):
            raise ValueError(f"cohort.{key} must be set when cohort.source is 'export'")
    transplants = cohort.get("transplants_csv")
    return ExportPaths(Path(cohort["dicom_dir"]), Path(cohort["pft_csv"]), Path(transplants) if transplants else None)


def file_digest(path: str | os.PathLike[str] | None) -> str | None:
    """SHA-256 of a file's bytes (None for no file): a param that reruns the rule reading the
    file when, and only when, its content changes, without naming the file's path."""
    if path is None:
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_csv_text(path: str | os.PathLike[str], what: str, **kwargs: Any) -> pd.DataFrame:
    """``pandas.read_csv`` of a UTF-8 file (a byte-order mark is dropped), with errors that name the file.

    Parameters
    ----------
    path : path-like
    what : str
        The file's config key in messages, e.g. ``"cohort.pft_csv"``.
    **kwargs
        Passed to ``pandas.read_csv``.

    Raises
    ------
    ValueError
        If the file is empty, is not UTF-8 (the line of the first bad byte is named), or is not
        a CSV table.
    """
    data = Path(path).read_bytes()
    if not data.strip():
        raise ValueError(f"{what} {path} is empty: it needs a header row naming the columns")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ValueError(
            f"{what} {path} is not UTF-8 text (byte 0x{data[err.start]:02x} on line {line}; cp1252 or Latin-1?): "
            "save it as UTF-8"
        ) from None
    try:
        return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ValueError(f"{what} {path} cannot be read as a CSV table ({err})") from None


def csv_header(path: str | os.PathLike[str], what: str = "CSV file") -> list[str]:
    """Column names of a CSV file (see ``read_csv_text``)."""
    return list(read_csv_text(path, what, nrows=0).columns)


def check_csv_columns(path: str | os.PathLike[str], columns: Mapping[str, str], what: str) -> None:
    """Raise ValueError naming the file and column if a required column is missing.

    Parameters
    ----------
    path : path-like
    columns : mapping
        Role to column name (``cohort.pft_columns``, ``cohort.transplant_columns``).
    what : str
        Name of the file's role in messages, e.g. ``"cohort.pft_csv"``.
    """
    header = csv_header(path, what)
    missing = [f"'{name}' (for {role})" for role, name in columns.items() if name not in header]
    if missing:
        raise ValueError(f"{what} {path} lacks required column(s) {', '.join(missing)}; it has {header}")


def check_export(paths: ExportPaths, pft_columns: Mapping[str, str], transplant_columns: Mapping[str, str]) -> None:
    """Check that every input exists and has its columns, before any work.

    Parameters
    ----------
    paths : ExportPaths
    pft_columns, transplant_columns : mapping
        Role to column name.

    Raises
    ------
    ValueError
        Naming the config key, the path and what is wrong.
    """
    if not paths.dicom_dir.is_dir():
        raise ValueError(f"cohort.dicom_dir {paths.dicom_dir} is not an existing directory")
    if not paths.pft_csv.is_file():
        raise ValueError(f"cohort.pft_csv {paths.pft_csv} does not exist")
    check_csv_columns(paths.pft_csv, pft_columns, "cohort.pft_csv")
    if paths.transplants_csv is not None:
        if not paths.transplants_csv.is_file():
            raise ValueError(f"cohort.transplants_csv {paths.transplants_csv} does not exist (set it to null if none)")
        check_csv_columns(paths.transplants_csv, transplant_columns, "cohort.transplants_csv")


def read_transplant_patients(path: str | os.PathLike[str] | None, column: str) -> list[str]:
    """Original patient ids of the transplant CSV (empty when ``path`` is None or absent)."""
    if path is None or not Path(path).is_file():
        return []
    values = read_csv_text(path, "cohort.transplants_csv", dtype=str, keep_default_na=False)[column].str.strip()
    return sorted({v for v in values if v})
