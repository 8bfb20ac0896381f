"""The demo export as the cohort stages see it: its paths, and the settings it cannot agree with.

The workflow chooses between the demo and a user's export in one place (``rules/demo_common.smk``);
the study library (``vrgan.cohort.export``) knows only a user's export.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vrgan.cohort.export import ExportPaths

__all__ = ["PFT_COLUMNS", "TRANSPLANT_COLUMNS", "check_demo_settings", "demo_export_paths"]

#: role -> column of the demo's pft.csv, as cohort.pft_columns maps them (its header, in this order)
PFT_COLUMNS = {"patient_id": "patient_id", "date": "date", "fev1": "fev1", "fvc": "fvc"}
#: role -> column of the demo's transplants.csv (cohort.transplant_columns); transplant_date follows
TRANSPLANT_COLUMNS = {"patient_id": "patient_id"}


def demo_export_paths(root: str | os.PathLike[str]) -> ExportPaths:
    """The three inputs of the cohort stages inside the demo export written to ``root``."""
    root = Path(root)
    return ExportPaths(root / "dicom", root / "pft.csv", root / "transplants.csv")


def check_demo_settings(cohort: Mapping[str, Any]) -> None:
    """Refuse ``cohort:`` settings that the demo export's truth cannot agree with.

    The synthetic CR images omit BurnedInAnnotation (optional for CR), as real ones often do, so
    ``reject_absent`` would reject them all; the export writes ISO dates and its own column
    names, so another date format or column mapping would reject every row. Either way
    ``cohort_flow_vs_truth`` would fail far into the run; this fails when the workflow loads.

    Raises
    ------
    ValueError
        Naming the key and what to set.
    """
    errors = []
    if cohort.get("burned_in_annotation") == "reject_absent":
        errors.append(
            "cohort.burned_in_annotation: reject_absent would reject the demo export's CR images (they omit the "
            "optional flag) and its truth expects them: use accept_absent with source: demo"
        )
    if cohort.get("pft_date_format") != "iso":
        errors.append("cohort.pft_date_format: the demo export writes ISO dates: use iso with source: demo")
    for key, columns in (("pft_columns", PFT_COLUMNS), ("transplant_columns", TRANSPLANT_COLUMNS)):
        if dict(cohort.get(key, {})) != columns:
            errors.append(f"cohort.{key}: the demo export's columns are {columns} (role: column): use them with source: demo")
    if errors:
        raise ValueError("; ".join(errors))
