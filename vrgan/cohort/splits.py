"""Split stage: subject-level train/validation/test split, and the (x, x') pairs.

Following the paper (section 3.2), validation and test hold only subjects with at least one
exam without COPD and one with COPD; every other subject (e.g. a single exam) is training.
The eligible subjects, in patient-key order, are shuffled once with the seeded generator;
the first ``round(validation_fraction * n)`` go to validation, the next
``round(test_fraction * n)`` to test and the rest to training. Pairs are formed only within
validation and test, from every (non-COPD exam, COPD exam) combination of a subject.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SPLITS = ("train", "validation", "test")
SPLIT_COLUMNS = ["patient_key", "split", "eligible", "n_exams", "n_copd", "n_non_copd"]
PAIR_COLUMNS = [
    "split",
    "patient_key",
    "x_exam_key",
    "x_image_key",
    "x_date",
    "y",
    "x_prime_exam_key",
    "x_prime_image_key",
    "x_prime_date",
    "y_prime",
    "days_between",
]


def split_subjects(
    cohort: pd.DataFrame, validation_fraction: float, test_fraction: float, rng: np.random.Generator | int | None
) -> pd.DataFrame:
    """Assign every subject to one split.

    Parameters
    ----------
    cohort : pandas.DataFrame
        Columns ``patient_key`` and ``copd`` (one row per exam).
    validation_fraction, test_fraction : float
        Fractions of the *eligible* subjects (with both a COPD and a non-COPD exam);
        their sum must not exceed 1.
    rng : numpy.random.Generator or int or None
        Seed or generator of the shuffle.

    Returns
    -------
    pandas.DataFrame
        ``SPLIT_COLUMNS``, one row per subject, sorted by ``patient_key``.
    """
    if min(validation_fraction, test_fraction) < 0 or validation_fraction + test_fraction > 1:
        raise ValueError(
            f"validation_fraction and test_fraction must be >= 0 with sum <= 1, got "
            f"{validation_fraction}, {test_fraction}"
        )
    rng = np.random.default_rng(rng)
    per = cohort.groupby("patient_key", sort=True)["copd"].agg(n_exams="size", n_copd="sum")
    per["n_copd"] = per["n_copd"].astype("int64")
    per["n_non_copd"] = per["n_exams"] - per["n_copd"]
    per["eligible"] = (per["n_copd"] > 0) & (per["n_non_copd"] > 0)
    per["split"] = "train"
    eligible = per.index[per["eligible"]].to_numpy()
    order = eligible[rng.permutation(len(eligible))]
    n_val = int(round(validation_fraction * len(order)))
    n_test = min(int(round(test_fraction * len(order))), len(order) - n_val)
    per.loc[order[:n_val], "split"] = "validation"
    per.loc[order[n_val : n_val + n_test], "split"] = "test"
    return per.reset_index()[SPLIT_COLUMNS]


def check_splits(splits: pd.DataFrame, pairs: pd.DataFrame, validation_fraction: float, test_fraction: float) -> None:
    """Stop when a split is empty: training needs subjects, validation and test need pairs.

    Parameters
    ----------
    splits : pandas.DataFrame
        :func:`split_subjects`' table.
    pairs : pandas.DataFrame
        :func:`make_pairs`' table.
    validation_fraction, test_fraction : float
        The settings that made ``splits`` (named in the message).

    Raises
    ------
    ValueError
        Naming the empty split(s), the subject and pair counts of every split, and the setting to
        change.
    """
    subjects = splits["split"].value_counts()
    n_pairs = pairs["split"].value_counts()
    empty = [name for name in ("validation", "test") if n_pairs.get(name, 0) == 0]
    if subjects.get("train", 0) == 0:
        empty.insert(0, "train")
    if not empty:
        return
    eligible = int(splits["eligible"].sum())
    counts = ", ".join(
        f"{name} {int(subjects.get(name, 0))} subjects / {int(n_pairs.get(name, 0))} pairs" for name in SPLITS
    )
    raise ValueError(
        f"empty split(s): {', '.join(empty)} ({counts}; {eligible} of {len(splits)} subjects have an exam "
        f"with and one without COPD and can give pairs). Change cohort.split.validation_fraction "
        f"({validation_fraction}) and cohort.split.test_fraction ({test_fraction}): validation and test "
        "each need at least one eligible subject, training at least one subject (the fractions must "
        "leave some when every subject is eligible); or widen the cohort"
    )


def make_pairs(cohort: pd.DataFrame, splits: pd.DataFrame) -> pd.DataFrame:
    """Every (non-COPD exam x, COPD exam x') combination of each validation/test subject.

    Parameters
    ----------
    cohort : pandas.DataFrame
        ``cohort.parquet`` (``patient_key``, ``exam_key``, ``image_key``, ``exam_date``,
        ``y``, ``copd``).
    splits : pandas.DataFrame
        ``patient_key`` and ``split``.

    Returns
    -------
    pandas.DataFrame
        ``PAIR_COLUMNS``: x is the exam without COPD (label ``y``), x' the desired modified
        image with COPD (``y_prime``); ``days_between`` = x' date - x date.
    """
    table = cohort.merge(splits[["patient_key", "split"]], on="patient_key")
    table = table[table["split"].isin(["validation", "test"])]
    keep = ["split", "patient_key", "exam_key", "image_key", "exam_date", "y"]
    x = table.loc[~table["copd"], keep]
    x_prime = table.loc[table["copd"], keep[1:]].rename(
        columns={
            "exam_key": "x_prime_exam_key",
            "image_key": "x_prime_image_key",
            "exam_date": "x_prime_date",
            "y": "y_prime",
        }
    )
    pairs = x.rename(columns={"exam_key": "x_exam_key", "image_key": "x_image_key", "exam_date": "x_date"}).merge(
        x_prime, on="patient_key"
    )
    pairs["days_between"] = (pairs["x_prime_date"] - pairs["x_date"]).dt.days.astype("int64")
    order = {name: i for i, name in enumerate(SPLITS)}
    pairs = pairs.sort_values(
        ["split", "patient_key", "x_date", "x_exam_key", "x_prime_date", "x_prime_exam_key"],
        key=lambda s: s.map(order) if s.name == "split" else s,
    )
    return pairs[PAIR_COLUMNS].reset_index(drop=True)
