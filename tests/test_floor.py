"""The toy's trivial baselines at any scale, rendered a chunk at a time (vrgan.floor)."""

import numpy as np
import pytest

from vrgan.evaluation import constant_ring_map, fit_constant_ring, mean_validation_map
from vrgan.floor import pair_labels, score_maps, toy_floor
from vrgan.metrics import input_specific_ncc, ncc
from vrgan.toy import make_toy_dataset, make_toy_pairs

SEEDS = {"val": 2, "test": 3, "val_pairs": 4, "test_pairs": 5}


def pairs(split, n, size):
    return make_toy_pairs(make_toy_dataset(n, size, SEEDS[split]), SEEDS[f"{split}_pairs"])


def test_pair_labels_are_those_of_the_toy_data_stage():
    y, y_prime = pair_labels(60, 16, SEEDS["val"], SEEDS["val_pairs"])
    expected = pairs("val", 60, 16)
    np.testing.assert_array_equal(y, expected.y)
    np.testing.assert_array_equal(y_prime, expected.y_prime)


def test_score_maps_agrees_with_ncc_for_shared_and_per_pair_maps():
    rng = np.random.default_rng(0)
    targets, x = rng.standard_normal((2, 5, 6, 6))
    mean = rng.standard_normal((6, 6))
    targets[2], targets[3], x[1] = 1.0, mean, 3.0  # constant target, target = m, constant map
    scores = score_maps({"mean": mean, "x": x}, targets, mean)
    for name, maps in (("mean", np.broadcast_to(mean, targets.shape)), ("x", x)):
        np.testing.assert_allclose(scores[name][0], ncc(maps, targets), atol=1e-12)
        np.testing.assert_allclose(scores[name][1], input_specific_ncc(maps, targets, mean), atol=1e-12)
    np.testing.assert_array_equal(scores["mean"][1][[0, 1, 2, 4]], 0.0)  # m ignores the input: exactly 0


def test_the_floor_fits_on_validation_and_scores_the_test_pairs():
    table, counts = toy_floor(16, 60, 50, SEEDS, chunk=7)
    val, test = pairs("val", 60, 16), pairs("test", 50, 16)
    inner, outer, score = fit_constant_ring(val.target)
    assert (counts["ring_inner"], counts["ring_outer"]) == (inner, outer)
    assert counts["ring_val_ncc"] == pytest.approx(score)
    assert (counts["val_pairs"], counts["test_pairs"]) == (len(val.y), len(test.y))
    rows = table.set_index("method")
    mean = mean_validation_map(val.target)
    assert rows.loc["mean_validation_map", "ncc"] == pytest.approx(ncc(np.broadcast_to(mean, test.target.shape), test.target).mean())
    ring = np.broadcast_to(constant_ring_map(16, inner, outer), test.target.shape)
    assert rows.loc["constant_ring", "ncc"] == pytest.approx(ncc(ring, test.target).mean())
    assert rows.loc["mean_validation_map", "ncc_specific"] == 0.0
    assert rows.loc["negative_image", "n_pairs"] == len(test.y) and 0.0 < rows.loc["negative_image", "ncc"] < 1.0
