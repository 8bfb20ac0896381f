"""Per-pair tables, subsets of pairs and seed summaries (vrgan.evaluation)."""

import numpy as np
import pandas as pd
import pytest

from vrgan.evaluation import (
    baseline_maps,
    check_finite_maps,
    constant_ring_map,
    fit_constant_ring,
    keep_pairs,
    per_pair_ncc,
    ring_scores,
    score_pairs,
    seed_table,
    summary_table,
)
from vrgan.metrics import ncc

NOT_FAILED = {"registration_status": ["failed"]}


def _pairs(ncc, status):
    return pd.DataFrame({"pair": np.arange(len(ncc)), "registration_status": status, "ncc_registration": ncc})


def test_per_pair_ncc_puts_the_copied_columns_between_pair_and_scores():
    maps = np.array([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 0.0], [0.0, 0.0]]])
    table = per_pair_ncc(maps, {"registration": maps, "truth": -maps}, {"pair_id": ["a", "b"], "y": [0.8, 0.75]})
    assert list(table.columns) == ["pair", "pair_id", "y", "ncc_registration", "ncc_truth"]
    assert table["pair_id"].tolist() == ["a", "b"]
    np.testing.assert_allclose(table["ncc_registration"], [1.0, 1.0])
    np.testing.assert_allclose(table["ncc_truth"], [-1.0, -1.0])
    assert list(per_pair_ncc(maps, {"target": maps}).columns) == ["pair", "ncc_target"]


def test_per_pair_ncc_adds_the_input_specific_and_overlap_scores_beside_each_truth():
    maps = np.array([[[0.0, -1.0], [-1.0, -2.0]]])
    target = np.array([[[0.0, -1.0], [-1.0, -1.0]]])
    mean = np.array([[0.0, -1.0], [-1.0, 0.0]])
    mask = np.array([[[True, True], [True, False]]])  # pred [0, -1, -1] vs target [0, -1, -1]: 1
    table = per_pair_ncc(maps, {"registration": target, "truth": -target}, None, {"registration": mean}, mask)
    assert list(table.columns) == [
        "pair", "ncc_registration", "ncc_registration_specific", "ncc_registration_overlap", "ncc_truth", "ncc_truth_overlap"
    ]
    np.testing.assert_allclose(table.iloc[0, 1:], [np.sqrt(2 / 3), 1.0, 1.0, -np.sqrt(2 / 3), -1.0])


def test_score_pairs_centres_each_truth_on_its_own_validation_mean():
    x = np.arange(8.0).reshape(2, 2, 2)
    val = {"target_registration": np.array([[[0.0, -2.0], [-2.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]]),
           "target_truth": np.zeros((1, 2, 2)), "x": x}
    test = {"target_registration": np.array([[[0.0, -1.0], [-1.0, -1.0]]] * 2), "target_truth": -x,
            "registration_valid": np.ones((2, 2, 2), dtype=bool), "y": np.array([0.8, 0.9]), "x": x}
    mean = np.array([[[0.0, -1.0], [-1.0, 0.0]]] * 2)  # the mean validation registration map
    table = score_pairs(mean, test, val, ["y"])
    assert table["y"].tolist() == [0.8, 0.9]
    np.testing.assert_array_equal(table["ncc_registration_specific"], [0.0, 0.0])  # m itself: exactly 0
    np.testing.assert_allclose(table["ncc_truth_specific"], ncc(mean, -x))  # truth's mean is 0
    np.testing.assert_allclose(table["ncc_registration_overlap"], table["ncc_registration"])  # all valid
    toy = score_pairs(-x, {"target": -x}, {"target": np.zeros((3, 2, 2))})
    assert list(toy.columns) == ["pair", "ncc_target", "ncc_target_specific"]
    np.testing.assert_allclose(toy["ncc_target_specific"], [1.0, 1.0])


def test_ring_scores_by_hand_4x4():
    border = constant_ring_map(4, 1, 2)  # -1 on the 12 border pixels
    scores, n_defined = ring_scores(border[None])
    # (0, 1): the centre 2 x 2 = -1 - border, NCC -1; (0, 2): the whole image, constant, 0
    np.testing.assert_array_equal(np.isnan(scores), [[True, False, False], [True, True, False], [True, True, True]])
    np.testing.assert_allclose(scores[[0, 0, 1], [1, 2, 2]], [-1.0, 0.0, 1.0], atol=1e-12)
    assert n_defined == 1.0 and fit_constant_ring(border[None]) == pytest.approx((1, 2, 1.0))
    with pytest.raises(ValueError, match="every target map is constant"):
        fit_constant_ring(np.zeros((2, 4, 4)))


def test_ring_scores_equal_the_ncc_of_every_ring():
    rng = np.random.default_rng(3)
    targets = rng.standard_normal((5, 9, 9))  # odd side: the last row and column are in no square
    targets[1] = 2.0  # a constant target: left out of the mean, as ncc's NaN
    scores, n_defined = ring_scores(targets)
    assert n_defined == 4.0
    for outer in range(1, 5):
        for inner in range(outer):
            ring = np.broadcast_to(constant_ring_map(9, inner, outer), targets.shape)
            assert scores[inner, outer] == pytest.approx(np.nanmean(ncc(ring, targets)), abs=1e-12)


def test_baselines_include_the_fitted_ring_and_the_mean_map():
    val = np.stack([constant_ring_map(8, 1, 3), constant_ring_map(8, 2, 3)])
    maps = baseline_maps(np.ones((2, 8, 8)), val)
    np.testing.assert_array_equal(maps["constant_ring"][0], constant_ring_map(8, *fit_constant_ring(val)[:2]))
    np.testing.assert_array_equal(maps["mean_validation_map"][1], val.mean(axis=0))
    assert set(maps) == {"negative_image", "constant_ring", "mean_validation_map"}


def test_keep_pairs_leaves_out_the_excluded_values_and_names_a_missing_column():
    frame = _pairs([0.1, 0.2, 0.3], ["ok", "failed", "barely_improved"])
    assert keep_pairs(frame, NOT_FAILED)["pair"].tolist() == [0, 2]
    assert keep_pairs(frame, {})["pair"].tolist() == [0, 1, 2]
    with pytest.raises(KeyError, match="no such column"):
        keep_pairs(frame.drop(columns="registration_status"), NOT_FAILED)


def test_seed_table_scores_each_subset_of_pairs():
    per_pair = {
        ("vrgan", 0): _pairs([0.1, 0.5, np.nan], ["ok", "failed", "ok"]),
        ("negative_image", None): _pairs([0.2, 0.4, 0.6], ["ok", "failed", "ok"]),
    }
    table = seed_table(per_pair, "ncc_registration", {"all": {}, "not_failed": NOT_FAILED})
    assert list(table.columns) == ["method", "seed", "pairs", "ncc", "n_pairs", "n_undefined"]
    assert table["pairs"].tolist() == ["all", "all", "not_failed", "not_failed"]
    np.testing.assert_allclose(table["ncc"], [0.3, 0.4, 0.1, 0.4])
    assert table["n_pairs"].tolist() == [2, 3, 1, 2] and table["n_undefined"].tolist() == [1, 0, 1, 0]
    plain = seed_table(per_pair, "ncc_registration")
    assert list(plain.columns) == ["method", "seed", "ncc", "n_pairs", "n_undefined"]


def test_seed_table_averages_the_variants_and_tolerates_a_table_without_them():
    vrgan = _pairs([0.1, 0.5, 0.3], ["ok", "failed", "ok"]).assign(
        ncc_registration_specific=[0.0, 0.2, np.nan], ncc_registration_overlap=[0.4, 0.6, 0.8]
    )
    per_pair = {("vrgan", 0): vrgan, ("supervised", 0): _pairs([0.9, 0.9, 0.9], ["ok"] * 3)}
    table = seed_table(per_pair, "ncc_registration", {"all": {}, "not_failed": NOT_FAILED})
    assert list(table.columns) == [
        "method", "seed", "pairs", "ncc", "n_pairs", "n_undefined", "ncc_specific", "ncc_overlap"
    ]
    np.testing.assert_allclose(table["ncc_specific"], [0.1, np.nan, 0.0, np.nan])
    np.testing.assert_allclose(table["ncc_overlap"], [0.6, np.nan, 0.6, np.nan])


def test_summary_table_keeps_one_block_per_subset():
    seeds = pd.DataFrame(
        {
            "method": ["vrgan", "vrgan", "negative_image"] * 2,
            "seed": pd.array([0, 1, None] * 2, dtype="Int64"),
            "pairs": ["all"] * 3 + ["not_failed"] * 3,
            "ncc": [0.1, 0.3, 0.5, 0.2, 0.4, 0.6],
        }
    )
    summary = summary_table(seeds)
    assert list(summary.columns) == ["method", "kind", "pairs", "n_seeds", "mean", "std"]
    assert list(zip(summary["pairs"], summary["method"])) == [
        ("all", "vrgan"), ("all", "negative_image"), ("not_failed", "vrgan"), ("not_failed", "negative_image")
    ]
    np.testing.assert_allclose(summary["mean"], [0.2, 0.5, 0.3, 0.6])
    np.testing.assert_allclose(summary["std"].iloc[[0, 2]], [np.sqrt(0.02)] * 2)
    assert summary["kind"].tolist() == ["model", "baseline"] * 2 and summary["n_seeds"].tolist() == [2, 0, 2, 0]
    plain = summary_table(seeds[seeds["pairs"] == "all"].drop(columns="pairs"))
    assert list(plain.columns) == ["method", "kind", "n_seeds", "mean", "std"]


def test_summary_table_summarises_each_variant_and_makes_any_other_method_a_model():
    seeds = pd.DataFrame(
        {
            "method": ["vrgan", "vrgan", "supervised", "mean_validation_map"],
            "seed": pd.array([0, 1, 0, None], dtype="Int64"),
            "ncc": [0.1, 0.3, 0.9, 0.5],
            "ncc_specific": [0.0, 0.2, 0.8, 0.0],
            "ncc_overlap": [0.2, np.nan, 0.7, 0.4],
        }
    )
    summary = summary_table(seeds)
    assert list(summary.columns) == [
        "method", "kind", "n_seeds", "mean", "std", "specific_mean", "specific_std", "overlap_mean", "overlap_std"
    ]
    assert summary["kind"].tolist() == ["model", "model", "baseline"]
    np.testing.assert_allclose(summary["specific_mean"], [0.1, 0.8, 0.0])
    np.testing.assert_allclose(summary["specific_std"], [np.sqrt(0.02), np.nan, np.nan])
    np.testing.assert_allclose(summary["overlap_mean"], [0.2, 0.7, 0.4])  # NaN seeds left out
    assert np.isnan(summary["overlap_std"]).all()


def test_summary_table_counts_the_seeds_and_pairs_actually_scored():
    seeds = pd.DataFrame(
        {
            "method": ["vrgan"] * 3 + ["negative_image"],
            "seed": pd.array([0, 1, 2, None], dtype="Int64"),
            "ncc": [0.2, np.nan, 0.4, 0.5],  # seed 1: every pair undefined
            "n_pairs": [10, 0, 8, 10],
            "n_undefined": [0, 10, 2, 0],
        }
    )
    summary = summary_table(seeds).set_index("method")
    assert list(summary.columns) == ["kind", "n_seeds", "n_pairs", "mean", "std"]
    assert summary.loc["vrgan", "n_seeds"] == 2 and summary.loc["vrgan", "n_pairs"] == 8
    assert summary.loc["vrgan", "mean"] == pytest.approx(0.3)
    assert summary.loc["negative_image", "n_seeds"] == 0 and summary.loc["negative_image", "n_pairs"] == 10


def test_a_diverged_run_fails_evaluation_naming_it():
    maps = np.zeros((4, 3, 3), dtype=np.float32)
    check_finite_maps(maps, "vrgan seed 1")
    maps[2, 1, 1] = np.nan
    maps[3, 0, 0] = np.inf
    with pytest.raises(ValueError, match=r"vrgan seed 1: 2 of 4 generated maps hold NaN or infinite"):
        check_finite_maps(maps, "vrgan seed 1")


def test_ring_scores_weights_count_a_target_as_often_as_its_weight():
    rng = np.random.default_rng(4)
    targets = rng.standard_normal((3, 6, 6))
    repeated, n = ring_scores(targets[[0, 0, 0, 1, 2, 2]])
    weighted, n_weighted = ring_scores(targets, np.array([3, 1, 2]))
    np.testing.assert_allclose(weighted, repeated, atol=1e-12)
    assert n == n_weighted == 6.0
