"""Figs. 4 and 5 of the x-ray study (vrgan.attribution) and their layouts (vrgan.figures)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from vrgan.figures import attribution_figure, severity_figure
import vrgan.attribution
from vrgan.attribution import closest_label, desired_labels, draw_attribution_figure, draw_progression, draw_severity_figure


class Shift(torch.nn.Module):
    """A stand-in generator with a known output: Δx = (y - y') everywhere for VR-GAN, -x for VA-GAN."""

    def __init__(self, n_conditions):
        super().__init__()
        self.n_conditions = n_conditions

    def forward(self, x, cond=None):
        if cond is None:
            return -x
        return torch.zeros_like(x) + cond[:, 2, None, None, None] * 0.2


def _pairs(with_truth=True):
    x = np.arange(3 * 8 * 8, dtype=np.float32).reshape(3, 8, 8) / 192
    pairs = {
        "x": x,
        "x_prime": -x,
        "y": np.array([0.90, 0.72, 0.80], np.float32),
        "y_prime": np.array([0.35, 0.60, 0.45], np.float32),
        "target_registration": np.ones((3, 8, 8), np.float32) * np.array([1, 2, 3], np.float32)[:, None, None],
        "pair_id": np.array(["a_b", "c_d", "e_f"]),
    }
    if with_truth:
        pairs["target_truth"] = -pairs["target_registration"]
    return pairs


def test_closest_label_takes_the_first_of_a_tie_and_refuses_an_empty_set():
    assert closest_label(np.array([1.0, 0.75, 0.5]), 0.625) == 1  # exactly halfway
    assert closest_label(np.array([0.5, 0.75, 0.5]), 0.6) == 0
    with pytest.raises(ValueError, match="test set is empty"):
        closest_label(np.array([]), 0.7)


def test_desired_labels_add_the_pair_own_label_in_order():
    labels, column = desired_labels([0.4, 0.6, 0.8], 0.55)
    np.testing.assert_allclose(labels, [0.4, 0.55, 0.6, 0.8])
    assert column == 1
    labels, column = desired_labels([0.8, 0.4, 0.6], 0.603)  # 0.6 is replaced by the pair's 0.603
    np.testing.assert_allclose(labels, [0.4, 0.603, 0.8])
    assert column == 1 and labels.dtype == np.float32


def test_attribution_figure_shows_the_ground_truths_under_the_pair_own_label_only():
    figure, pair_id = draw_attribution_figure(_pairs(), Shift(3), Shift(0), 0.73, [0.4, 0.8])
    assert pair_id == "c_d"
    axes = np.array(figure.axes).reshape(4, 5)  # Δx, x', registration, truth; a, three y', VA-GAN
    assert [ax.get_title() for ax in axes[0, 1:4]] == [f"VR-GAN Δx\nFEV1/FVC'={v}" for v in ("0.40", "0.60", "0.80")]
    np.testing.assert_allclose(axes[0, 1].images[0].get_array(), np.full((8, 8), 0.72 - 0.4), rtol=1e-5)
    np.testing.assert_allclose(axes[2, 2].images[0].get_array(), np.full((8, 8), 2.0))
    np.testing.assert_allclose(axes[3, 2].images[0].get_array(), np.full((8, 8), -2.0))
    assert axes[2, 2].get_title() == "registration Δx" and axes[3, 2].get_title() == "true Δx (phantom)"
    assert not axes[2, 1].images and not axes[3, 3].images and not axes[2, 4].images
    np.testing.assert_allclose(axes[0, 4].images[0].get_array(), -_pairs()["x"][1])
    plt.close(figure)
    figure, _ = draw_attribution_figure(_pairs(with_truth=False), Shift(3), None, 0.73, [0.4])
    assert len(figure.axes) == 3 * 3  # no truth row, no VA-GAN column
    plt.close(figure)


def test_severity_figure_raises_a_non_copd_x_and_lowers_a_copd_x_prime():
    pairs = _pairs()
    figure, shown = draw_severity_figure(pairs, Shift(3), {"y": 0.82, "y_prime": 0.4}, {"y": 0.36, "y_prime": 0.8})
    assert shown == ["e_f:x", "a_b:x_prime"]
    axes = np.array(figure.axes).reshape(2, 3)
    np.testing.assert_array_equal(axes[0, 0].images[0].get_array(), pairs["x"][2])
    np.testing.assert_array_equal(axes[1, 0].images[0].get_array(), pairs["x_prime"][0])
    np.testing.assert_allclose(axes[0, 2].images[0].get_array(), np.full((8, 8), 0.80 - 0.4), rtol=1e-5)
    np.testing.assert_allclose(axes[1, 2].images[0].get_array(), np.full((8, 8), 0.35 - 0.8), rtol=1e-5)
    assert axes[1, 1].get_title() == "x', FEV1/FVC'=0.80" and "decreasing severity" in axes[1, 0].get_ylabel()
    plt.close(figure)


def test_attribution_figure_scales_separately_on_request_and_checks_the_option():
    x, maps = np.zeros((4, 4)), np.full((2, 4, 4), 0.1)
    targets = {"truth": np.stack([np.full((4, 4), 2.0), np.full((4, 4), np.nan)])}
    shared = attribution_figure(x, 0.8, [0.5, 0.6], maps, np.full((4, 4), 0.5), targets)
    separate = attribution_figure(x, 0.8, [0.5, 0.6], maps, np.full((4, 4), 0.5), targets, map_scale="separate")
    assert shared.axes[1].images[0].get_clim() == (-2.0, 2.0)
    assert separate.axes[1].images[0].get_clim() == pytest.approx((-0.1, 0.1))
    assert separate.axes[3].images[0].get_clim() == (-0.5, 0.5)  # VA-GAN
    assert not separate.axes[10].images  # no ground truth for the second y'
    with pytest.raises(ValueError, match="map_scale"):
        attribution_figure(x, 0.8, [0.5], maps[:1], map_scale="per_pixel")
    for figure in (shared, separate):
        plt.close(figure)
    figure = severity_figure(np.zeros((1, 4, 4)), [0.8], [0.4], np.zeros((1, 4, 4)))
    assert len(figure.axes) == 3 and figure.axes[2].images[0].get_clim() == (-1.0, 1.0)
    plt.close(figure)


def test_progression_sweeps_the_fig_4_pair_over_the_desired_labels(monkeypatch):
    frames, pair_id = draw_progression(_pairs(), Shift(3), 0.73, [0.9, 0.6, 0.3])
    assert pair_id == "c_d" and len(frames) == 3 and len({f.tobytes() for f in frames}) == 3
    drawn = {}
    monkeypatch.setattr(vrgan.attribution, "progression_frames", lambda *args: drawn.update(args=args) or [])
    draw_progression(_pairs(), Shift(3), 0.73, [0.9, 0.3])
    x, y, y_primes, maps, label = drawn["args"]
    np.testing.assert_array_equal(x, _pairs()["x"][1])
    assert y == pytest.approx(0.72) and label == "FEV1/FVC"
    np.testing.assert_allclose(y_primes, [0.9, 0.3])
    np.testing.assert_allclose(maps[:, 0, 0], [0.72 - 0.9, 0.72 - 0.3], rtol=1e-5)  # Δx = y - y' (Shift)
