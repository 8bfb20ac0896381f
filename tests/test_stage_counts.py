"""The counts of the stage summaries (vrgan.cohort.counts, vrgan.xray.summary), on small tables
whose counts are known by construction."""

import json

import numpy as np
import pandas as pd

from vrgan.cohort.counts import filter_counts, ingest_counts, match_counts, pft_counts, split_counts
from vrgan.xray.summary import dataset_counts, preprocess_counts


def test_ingest_counts_files_by_status_and_views_of_decoded_images_only():
    table = pd.DataFrame(
        {
            "status": ["ok", "ok", "ok", "rejected", "rejected"],
            "view": ["PA", "LL", "PA", "PA", None],
        }
    )
    counts = ingest_counts(table)
    assert counts == {"files": 5, "ok": 3, "rejected": 2, "views_of_decoded": {"LL": 1, "PA": 2}}
    json.dumps(counts)  # plain types


def test_pft_counts_rows_kept_and_rejected_per_reason_in_sorted_order():
    accepted = pd.DataFrame({"pft_id": [1, 2, 3]})
    rejected = pd.DataFrame({"reason": ["volume_out_of_range", "bad_date", "volume_out_of_range"]})
    counts = pft_counts(accepted, rejected)
    assert counts == {"rows": 6, "ok": 3, "bad_date": 1, "volume_out_of_range": 2}
    assert list(counts) == ["rows", "ok", "bad_date", "volume_out_of_range"]


def test_match_counts():
    exams, extra = pd.DataFrame({"exam_key": ["a", "b", "c"]}), pd.DataFrame({"exam_key": ["a"]})
    not_pa = pd.DataFrame({"exam_key": ["a", "b"]})
    pfts = pd.DataFrame({"pft_id": range(4)})
    matches = pd.DataFrame({"exam_key": ["a", "b"], "days_apart": [2, 7]})
    unmatched = pd.DataFrame(
        {
            "kind": ["exam", "pft", "pft"],
            "id": ["c", "2", "3"],
            "reason": ["no_pft_within_window", "no_exam_within_window", "no_exam_within_window"],
        }
    )
    counts = match_counts(exams, not_pa, extra, pfts, matches, unmatched)
    assert counts == {
        "pa_images": 4,
        "not_pa_images": 2,
        "extra_pa_images": 1,
        "pa_exams": 3,
        "pfts": 4,
        "matches": 2,
        "unmatched": {"exam/no_pft_within_window": 1, "pft/no_exam_within_window": 2},
        "mean_days_apart": 4.5,
    }
    empty = match_counts(exams, not_pa, extra, pfts, matches.iloc[:0], unmatched.iloc[:0])
    assert empty["matches"] == 0 and empty["mean_days_apart"] is None and empty["unmatched"] == {}
    json.dumps(counts)


def test_filter_counts_exclusions_cohort_and_transplant_ids():
    matches = pd.DataFrame({"exam_key": list("abcdef")})
    excluded = pd.DataFrame({"exam_key": ["e", "f"], "patient_key": ["p3", "p3"]})
    cohort = pd.DataFrame({"patient_key": ["p1", "p1", "p2", "p2"], "copd": [True, False, False, False]})
    ids = {"transplant_ids_listed": 2, "transplant_ids_matched_as_written": 1}
    counts = filter_counts(matches, excluded, cohort, ids)
    assert counts == {
        "matched_exams": 6,
        "transplant_exams_excluded": 2,
        "transplant_patients_excluded": 1,
        "exams": 4,
        "subjects": 2,
        "copd_exams": 1,
        **ids,
    }
    json.dumps(counts)


def test_split_counts_subjects_exams_and_pairs_per_split():
    cohort = pd.DataFrame({"patient_key": ["p1", "p1", "p2", "p3", "p3", "p3"]})
    splits = pd.DataFrame({"patient_key": ["p1", "p2", "p3"], "split": ["validation", "train", "test"]})
    pairs = pd.DataFrame({"split": ["validation", "test", "test"], "days_between": [-100, 200, 300]})
    counts = split_counts(cohort, splits, pairs)
    assert counts == {
        "subjects": {"test": 1, "train": 1, "validation": 1},
        "exams": {"test": 3, "train": 1, "validation": 2},
        "pairs": {"test": 2, "validation": 1},
        "mean_days_between_paired_exams": 200.0,
    }
    assert split_counts(cohort, splits, pairs.iloc[:0])["mean_days_between_paired_exams"] is None


def test_preprocess_counts_statuses_failed_reasons_and_shards():
    manifest = pd.DataFrame(
        {"status": ["ok", "ok", "failed", "failed"], "reason": ["", "", "too_small", "too_small"]}
    )
    index = pd.DataFrame({"shard": [0, 1]})
    assert preprocess_counts(index, manifest) == {
        "images": 4,
        "failed": 2,
        "ok": 2,
        "failed_reasons": {"too_small": 2},
        "shards": 2,
    }
    assert preprocess_counts(index.iloc[:0], manifest.iloc[:0])["shards"] == 0


def test_dataset_counts_training_images_and_pairs_per_split_and_status():
    train = {"y": np.array([0.5, 0.8, 0.6]), "copd": np.array([True, False, True])}
    pair_sets = {
        "validation": {"y": np.zeros(2), "registration_status": np.array(["ok", "failed"])},
        "test": {"y": np.zeros(3), "registration_status": np.array(["ok", "ok", "barely_improved"])},
    }
    counts = dataset_counts(train, pair_sets, 40, with_truth=False)
    assert counts == {
        "train_images": 3,
        "train_copd": 2,
        "image_size": 40,
        "validation_pairs": 2,
        "validation_by_status": {"failed": 1, "ok": 1},
        "test_pairs": 3,
        "test_by_status": {"barely_improved": 1, "ok": 2},
        "with_truth": False,
    }
    json.dumps(counts)
