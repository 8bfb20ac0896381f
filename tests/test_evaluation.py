"""Per-pair tables, subsets of pairs and seed summaries (vrgan.evaluation)."""

import numpy as np
import pandas as pd
import pytest

from vrgan.evaluation import keep_pairs, per_pair_ncc, seed_table, summary_table

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
