"""Subject-level split and (x, x') pairs (vrgan.cohort.splits, cohort_table)."""

import numpy as np
import pandas as pd
import pytest

from vrgan.cohort import copd_label, make_pairs, split_subjects


def cohort_table(n_subjects: int = 40, seed: int = 0) -> pd.DataFrame:
    """A cohort of subjects with 1 to 4 exams, COPD at random."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_subjects):
        for e in range(int(rng.integers(1, 5))):
            y = float(rng.uniform(0.3, 0.95))
            rows.append(
                {
                    "patient_key": f"s{s:03d}",
                    "exam_key": f"s{s:03d}-e{e}",
                    "image_key": f"i{s:03d}-{e}",
                    "exam_date": pd.Timestamp("2005-01-01") + pd.Timedelta(days=100 * e),
                    "y": y,
                    "copd": y < 0.7,
                }
            )
    return pd.DataFrame(rows)


def test_copd_label_threshold_is_strict():
    assert copd_label([0.69, 0.7, 0.71]).tolist() == [True, False, False]


def test_split_is_subject_level_reproducible_and_only_eligible_subjects_leave_training():
    cohort = cohort_table()
    splits = split_subjects(cohort, 0.25, 0.5, rng=7)
    assert splits["patient_key"].is_unique and set(splits["patient_key"]) == set(cohort["patient_key"])
    pd.testing.assert_frame_equal(splits, split_subjects(cohort, 0.25, 0.5, rng=7))
    assert not splits.equals(split_subjects(cohort, 0.25, 0.5, rng=8))
    held_out = splits[splits["split"] != "train"]
    assert held_out["eligible"].all()
    assert (held_out["n_copd"] > 0).all() and (held_out["n_non_copd"] > 0).all()
    single = splits[splits["n_exams"] == 1]
    assert (single["split"] == "train").all()
    n = int(splits["eligible"].sum())
    counts = splits["split"].value_counts()
    assert counts["validation"] == round(0.25 * n) and counts["test"] == round(0.5 * n)
    with pytest.raises(ValueError, match="sum <= 1"):
        split_subjects(cohort, 0.6, 0.5, rng=0)


def test_pairs_are_every_no_copd_x_copd_combination_within_one_subject_and_split():
    cohort = cohort_table()
    splits = split_subjects(cohort, 0.25, 0.5, rng=3)
    pairs = make_pairs(cohort, splits)
    assert set(pairs["split"]) <= {"validation", "test"}
    by_exam = cohort.set_index("exam_key")
    assert (by_exam.loc[pairs["x_exam_key"], "patient_key"].to_numpy() == pairs["patient_key"]).all()
    assert (by_exam.loc[pairs["x_prime_exam_key"], "patient_key"].to_numpy() == pairs["patient_key"]).all()
    assert (~by_exam.loc[pairs["x_exam_key"], "copd"]).all() and by_exam.loc[pairs["x_prime_exam_key"], "copd"].all()
    assert (pairs["y"] >= 0.7).all() and (pairs["y_prime"] < 0.7).all()
    split_of = splits.set_index("patient_key")["split"]
    assert (pairs["patient_key"].map(split_of) == pairs["split"]).all()
    expected = int((splits["split"] != "train").mul(splits["n_copd"] * splits["n_non_copd"]).sum())
    assert len(pairs) == expected and not pairs.duplicated(["x_exam_key", "x_prime_exam_key"]).any()


def test_pairs_of_a_hand_made_subject():
    cohort = pd.DataFrame(
        {
            "patient_key": ["a"] * 3,
            "exam_key": ["e1", "e2", "e3"],
            "image_key": ["i1", "i2", "i3"],
            "exam_date": pd.to_datetime(["2005-01-01", "2005-03-01", "2006-01-01"]),
            "y": [0.8, 0.5, 0.75],
            "copd": [False, True, False],
        }
    )
    splits = pd.DataFrame({"patient_key": ["a"], "split": ["test"]})
    pairs = make_pairs(cohort, splits)
    assert pairs[["x_exam_key", "x_prime_exam_key", "days_between"]].values.tolist() == [
        ["e1", "e2", 59],
        ["e3", "e2", -306],
    ]
    assert pairs["x_image_key"].tolist() == ["i1", "i3"] and pairs["y_prime"].tolist() == [0.5, 0.5]


def test_an_empty_split_stops_with_the_counts_and_the_settings_to_change():
    from vrgan.cohort.splits import check_splits

    cohort = cohort_table()
    splits = split_subjects(cohort, 0.3, 0.3, 1)
    check_splits(splits, make_pairs(cohort, splits), 0.3, 0.3)  # every split has what it needs
    splits = split_subjects(cohort, 0.0, 0.5, 1)
    with pytest.raises(ValueError, match=r"empty split\(s\): validation \(train \d+ subjects / 0 pairs, "
                       r"validation 0 subjects / 0 pairs, test \d+ subjects / \d+ pairs; \d+ of 40 subjects") as err:
        check_splits(splits, make_pairs(cohort, splits), 0.0, 0.5)
    assert "cohort.split.validation_fraction (0.0)" in str(err.value)
    eligible = cohort[cohort["patient_key"].isin(splits.loc[splits["eligible"], "patient_key"])]
    splits = split_subjects(eligible, 0.5, 0.5, 1)  # every subject eligible, fractions sum to 1
    with pytest.raises(ValueError, match=r"empty split\(s\): train \(train 0 subjects"):
        check_splits(splits, make_pairs(eligible, splits), 0.5, 0.5)
