"""Formatting tables for the report: numbers as ``mean ± std (n = …)``, frames as markdown."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["format_mean_std", "markdown_table"]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def format_mean_std(mean: float, std: float | None = None, n: int | None = None, digits: int = 3) -> str:
    """``"0.853 ± 0.014 (n = 5)"``; without a std (one seed, a deterministic baseline) the mean
    alone; ``"—"`` without a mean."""
    if _missing(mean):
        return "—"
    text = f"{mean:.{digits}f}" + ("" if _missing(std) else f" ± {std:.{digits}f}")
    return text + ("" if _missing(n) else f" (n = {int(n)})")


def markdown_table(frame: pd.DataFrame) -> str:
    """``frame`` as a GitHub markdown table; missing values as ``—``, ``|`` escaped, no index."""

    def cell(value: Any) -> str:
        if _missing(value):
            return "—"
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |", "|" + " --- |" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"
