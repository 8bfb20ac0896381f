"""Counterfactual validity: the independent regressor R_ind and the scores of x' = x + Δx."""

import numpy as np
import pandas as pd
import pytest
import torch

from vrgan.counterfactual import (
    CounterfactualSettings,
    counterfactual_entries,
    counterfactual_summary,
    counterfactual_table,
    label_validity,
    load_independent_regressor,
    predict_labels,
    save_independent_regressor,
    train_independent_regressor,
)
from vrgan.toy import make_toy_dataset
from vrgan.training import ImageBank


def test_label_validity_by_hand():
    scores = label_validity(np.array([0.5, 0.7, 0.9, 0.3]), np.array([0.4, 0.8, 0.8, 0.4]))
    assert scores["mae"] == pytest.approx(0.1) and scores["n_pairs"] == 4
    # deviations from the means (0.6, 0.6): (-0.1, 0.1, 0.3, -0.3) and (-0.2, 0.2, 0.2, -0.2)
    assert scores["corr"] == pytest.approx(0.16 / np.sqrt(0.2 * 0.16))
    constant = label_validity(np.full(3, 0.5), np.array([0.4, 0.6, 0.8]))
    assert np.isnan(constant["corr"]) and constant["mae"] == pytest.approx((0.1 + 0.1 + 0.3) / 3)
    with pytest.raises(ValueError, match=r"two \(M,\) arrays"):
        label_validity(np.zeros(3), np.zeros(4))


def test_the_scorer_gives_the_expected_scores_with_a_known_regressor():
    """R_ind stub: the mean of the image. x is a constant image of value y, so x' = x + Δx carries
    y' exactly when Δx adds y' - y everywhere."""
    y = np.array([0.8, 0.9, 0.75, 0.7], np.float32)
    y_prime = np.array([0.3, 0.5, 0.6, 0.4], np.float32)
    x = np.broadcast_to(y[:, None, None], (4, 2, 2)).copy()
    truth = np.broadcast_to((y_prime - y)[:, None, None], x.shape).copy()
    pairs = {"x": x, "y": y, "y_prime": y_prime, "target": truth}
    runs = {("perfect", 0): truth, ("perfect", 1): truth, ("half", 0): truth / 2}
    baselines = {"negative_image": -x}
    table = counterfactual_table(lambda images: images.mean(axis=(1, 2)), counterfactual_entries(pairs, runs, baselines))
    assert list(table.columns) == ["method", "kind", "seed", "mae", "corr", "n_pairs"]
    rows = table.set_index(["method", "seed"])
    assert rows.loc[("real_images", pd.NA), "mae"] == pytest.approx(0.0)
    assert rows.loc[("target", pd.NA), "mae"] == pytest.approx(0.0)
    assert rows.loc[("perfect", 0), "mae"] == pytest.approx(0.0) and rows.loc[("perfect", 0), "corr"] == pytest.approx(1.0)
    # half the map: x' carries (y + y') / 2, off by |y - y'| / 2 on average
    assert rows.loc[("half", 0), "mae"] == pytest.approx(np.abs(y - y_prime).mean() / 2)
    assert rows.loc[("half", 0), "corr"] == pytest.approx(np.corrcoef((y + y_prime) / 2, y_prime)[0, 1])
    assert rows.loc[("negative_image", pd.NA), "mae"] == pytest.approx(y_prime.mean()) and np.isnan(
        rows.loc[("negative_image", pd.NA), "corr"]
    )
    assert (table["n_pairs"] == 4).all() and dict(zip(table["method"], table["kind"]))["half"] == "model"
    summary = counterfactual_summary(table).set_index("method")
    assert summary.loc["perfect", "n_seeds"] == 2 and summary.loc["perfect", "mae_std"] == pytest.approx(0.0)
    assert np.isnan(summary.loc["half", "mae_std"]) and summary.loc["real_images", "kind"] == "reference"


def test_real_x_prime_joins_the_reference_when_the_pairs_have_it():
    pairs = {"x": np.zeros((3, 2, 2)), "x_prime": np.ones((3, 2, 2)), "y": np.full(3, 0.8), "y_prime": np.full(3, 0.4)}
    (real,) = counterfactual_entries(pairs, {}, {})
    assert real.images.shape == (6, 2, 2) and real.wanted.tolist() == [0.8] * 3 + [0.4] * 3


def test_independent_regressor_training_lowers_its_error(tmp_path):
    torch.set_num_threads(1)
    data = make_toy_dataset(64, 16, 0)
    bank = ImageBank(data.images, data.y)
    # 60 iterations left the eval-mode error at 0.89 of the mean predictor's (ratio measured on
    # this data); 120 at 0.43
    settings = CounterfactualSettings(iterations=120, lr=1e-3, batch_size=16, seed=0)
    regressor, history = train_independent_regressor(bank, settings)
    before = np.abs(data.y.mean() - data.y).mean()  # the untrained R_ind predicts the mean label
    after = np.abs(predict_labels(regressor, data.images) - data.y).mean()
    assert after < 0.8 * before and history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert history["iteration"].iloc[-1] == 120
    save_independent_regressor(regressor, settings, tmp_path / "r.pt")
    loaded = load_independent_regressor(tmp_path / "r.pt")
    np.testing.assert_allclose(predict_labels(loaded, data.images[:5]), predict_labels(regressor, data.images[:5]), rtol=1e-5)
