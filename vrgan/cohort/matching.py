"""Matching stage: one PA image per study, then PFTs and exams as mutual nearest neighbours.

Why not ``pandas.merge_asof``: it is a left join (not one-to-one), breaks ties towards the
earlier row, keeps the last of same-day duplicates and, run from both sides and intersected,
breaks ties inconsistently and can drop a valid pair. Here every same-patient (exam, PFT)
edge within the window is ranked by one strict total order and a pair is kept when each
side is the other's best edge (``match_pfts_to_exams``).
"""

from __future__ import annotations

import pandas as pd

#: Rank of ``view_source`` when choosing one image per study (lower is more trusted).
VIEW_SOURCE_RANK = {
    "ViewPosition": 0,
    "ViewCodeSequence": 1,
    "AcquisitionDeviceProcessingDescription": 2,
    "SeriesDescription": 3,
    "ProtocolName": 4,
}

MATCH_COLUMNS = ["patient_id", "exam_id", "pft_id", "exam_date", "pft_date", "days_apart", "pft_minus_exam_days"]


def choose_one_image_per_study(images: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one image per exam (study); the rule is a total order, so the choice is fixed.

    Within an ``exam_key`` the kept image is the first by: most trusted ``view_source``
    (``VIEW_SOURCE_RANK``, others after), largest ``rows * columns``, highest
    ``series_number`` then ``instance_number`` (a retake comes after the image it replaces;
    missing numbers count as lowest), then smallest ``image_key``.

    Parameters
    ----------
    images : pandas.DataFrame
        Columns ``exam_key``, ``image_key``, ``view_source``, ``rows``, ``columns``,
        ``series_number``, ``instance_number``.

    Returns
    -------
    kept : pandas.DataFrame
        One row per ``exam_key``, the input's columns.
    dropped : pandas.DataFrame
        The other images, with ``kept_image_key`` (the image kept for the study).
    """
    order = images.assign(
        _source=images["view_source"].map(VIEW_SOURCE_RANK).fillna(len(VIEW_SOURCE_RANK)),
        _pixels=-(images["rows"].astype("float64") * images["columns"].astype("float64")),
        _series=-images["series_number"].astype("float64").fillna(float("-inf")),
        _instance=-images["instance_number"].astype("float64").fillna(float("-inf")),
    ).sort_values(["exam_key", "_source", "_pixels", "_series", "_instance", "image_key"], kind="stable")
    first = ~order["exam_key"].duplicated(keep="first")
    kept = order[first].drop(columns=["_source", "_pixels", "_series", "_instance"])
    dropped = order[~first].drop(columns=["_source", "_pixels", "_series", "_instance"])
    dropped = dropped.assign(kept_image_key=dropped["exam_key"].map(kept.set_index("exam_key")["image_key"]))
    return kept.reset_index(drop=True), dropped.reset_index(drop=True)


def _as_frame(table: pd.DataFrame, id_column: str, name: str) -> pd.DataFrame:
    missing = [c for c in ("patient_id", id_column, "date") if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}")
    out = table[["patient_id", id_column, "date"]].copy()
    for column in ("patient_id", id_column, "date"):
        if out[column].isna().any():
            raise ValueError(f"{name}.{column} has missing values; drop or fix those rows before matching")
    out["patient_id"] = out["patient_id"].astype(str)
    out[id_column] = out[id_column].astype(str)
    if out[id_column].duplicated().any():
        raise ValueError(f"{name}.{id_column} must be unique")
    out["date"] = pd.to_datetime(out["date"]).dt.floor("D").astype("datetime64[s]")
    return out


def match_pfts_to_exams(exams: pd.DataFrame, pfts: pd.DataFrame, window_days: int = 30) -> pd.DataFrame:
    """Pair each exam with its closest PFT and each PFT with its closest exam (mutual nearest).

    Edges are the same-patient (exam, PFT) couples with ``|pft date - exam date| <=
    window_days`` (inclusive, whole days). They are ranked by one strict total order:
    ``|days|``, then the PFT on or after the exam before the PFT before it (so x-rays at days
    0 and 10 with PFTs at 5 and 15 give two pairs), then ``exam_id``, then ``pft_id`` (as
    strings). An edge is a pair when it is the best edge of its exam and of its PFT. The result
    is one-to-one and deterministic, and every patient with an edge gets at least one pair
    (its best edge); an exam whose best PFT prefers another exam stays unpaired (no second
    choice: a pair always joins two mutually closest tests).

    Parameters
    ----------
    exams : pandas.DataFrame
        Columns ``patient_id``, ``exam_id``, ``date``; ``exam_id`` unique, no missing values.
    pfts : pandas.DataFrame
        Columns ``patient_id``, ``pft_id``, ``date``; ``pft_id`` unique, no missing values.
    window_days : int
        Largest allowed distance in days, inclusive.

    Returns
    -------
    pandas.DataFrame
        ``MATCH_COLUMNS``: ``patient_id``, ``exam_id``, ``pft_id`` (strings), ``exam_date``,
        ``pft_date``, ``days_apart`` (absolute, int) and ``pft_minus_exam_days`` (signed),
        sorted by patient, exam date and exam id.

    Raises
    ------
    ValueError
        On missing columns or values, duplicated ids, or a negative window.

    Examples
    --------
    >>> exams = pd.DataFrame({"patient_id": ["p", "p"], "exam_id": ["x0", "x10"],
    ...                       "date": pd.to_datetime(["2015-01-01", "2015-01-11"])})
    >>> pfts = pd.DataFrame({"patient_id": ["p", "p"], "pft_id": ["f5", "f15"],
    ...                      "date": pd.to_datetime(["2015-01-06", "2015-01-16"])})
    >>> match_pfts_to_exams(exams, pfts)[["exam_id", "pft_id", "days_apart"]].values.tolist()
    [['x0', 'f5', 5], ['x10', 'f15', 5]]
    """
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    x = _as_frame(exams, "exam_id", "exams").rename(columns={"date": "exam_date"})
    p = _as_frame(pfts, "pft_id", "pfts").rename(columns={"date": "pft_date"})
    edges = x.merge(p, on="patient_id", how="inner")
    edges["pft_minus_exam_days"] = (edges["pft_date"] - edges["exam_date"]).dt.days.astype("int64")
    edges["days_apart"] = edges["pft_minus_exam_days"].abs()
    edges = edges[edges["days_apart"] <= window_days]
    edges = edges.assign(_before=edges["pft_minus_exam_days"] < 0).sort_values(
        ["days_apart", "_before", "exam_id", "pft_id"], kind="stable"
    )
    best_of_exam = ~edges["exam_id"].duplicated(keep="first")
    best_of_pft = ~edges["pft_id"].duplicated(keep="first")
    pairs = edges[best_of_exam & best_of_pft]
    return pairs.sort_values(["patient_id", "exam_date", "exam_id"])[MATCH_COLUMNS].reset_index(drop=True)
