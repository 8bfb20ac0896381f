"""The toy law (paper section 3.1) and its exact ground truth."""

import numpy as np
import pytest

from vrgan.toy import half_side, make_toy_dataset, make_toy_pairs, render_squares, sample_labels, sample_labels_below


def test_label_law_matches_weibull_shape_7_scale_075():
    y = sample_labels(200_000, np.random.default_rng(0))
    assert np.all(np.round(y, 2) == y)
    # Weibull(7) * 0.75: mean 0.75 * Gamma(1 + 1/7) = 0.7013; after rounding to 2 decimals,
    # y >= 0.70 <=> 0.75 W >= 0.695, probability exp(-(0.695 / 0.75) ** 7) = 0.5558.
    assert y.mean() == pytest.approx(0.7013, abs=0.002)
    assert (y >= 0.7).mean() == pytest.approx(np.exp(-((0.695 / 0.75) ** 7)), abs=0.005)
    assert 0.0 < y.min() < 0.2 and 1.0 < y.max() < 1.2


def test_labels_below_threshold_are_below_it():
    y = sample_labels_below(1000, 0.7, 1)
    assert y.shape == (1000,) and np.all(y < 0.7)


def test_half_side_is_int_of_04_size_y():
    assert half_side(0.79, 224) == int(0.4 * 224 * 0.79) == 70
    assert half_side(np.array([0.5, 1.0]), 224).tolist() == [44, 89]
    assert half_side(1.5, 32) == 16  # clipped to the image


def test_render_squares_exact_on_8_pixels():
    # size 8, y = 0.5 -> half-side int(1.6) = 1: the central 2x2 block
    clean = render_squares(np.array([0.5]), 8)[0]
    expected = np.full((8, 8), -0.5, dtype=np.float32)
    expected[3:5, 3:5] = 0.5
    np.testing.assert_array_equal(clean, expected)


def test_dataset_noise_has_std_05_and_is_smooth():
    data = make_toy_dataset(20, 64, 0)
    noise = data.images - data.clean
    np.testing.assert_allclose(noise.std(axis=(1, 2)), 0.5, rtol=1e-4)
    # smoothed noise: neighbouring pixels correlate (sigma = 2.5 * 64 / 224 = 0.71 px)
    corr = np.corrcoef(noise[:, :, :-1].ravel(), noise[:, :, 1:].ravel())[0, 1]
    assert 0.2 < corr < 0.95
    np.testing.assert_array_equal(data.clean, render_squares(data.y, 64))


def test_different_seeds_give_different_images_same_seed_same():
    a, b, c = make_toy_dataset(5, 32, 1), make_toy_dataset(5, 32, 1), make_toy_dataset(5, 32, 2)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.images, c.images)


def test_pairs_ground_truth_is_a_ring_of_minus_one():
    data = make_toy_dataset(300, 32, 3)
    pairs = make_toy_pairs(data, 4)
    assert np.all(pairs.y >= 0.7) and np.all(pairs.y_prime < 0.7)
    assert len(pairs.y) == int((data.y >= 0.7).sum())
    np.testing.assert_array_equal(pairs.x, data.images[pairs.index])
    np.testing.assert_array_equal(pairs.target, render_squares(pairs.y_prime, 32) - render_squares(pairs.y, 32))
    assert set(np.unique(pairs.target)) <= {-1.0, 0.0}
    # every pair has a non-empty ring (at 32 px y = 0.69 and 0.70 share a half-side: redrawn)
    assert np.all((pairs.target == -1).any(axis=(1, 2)))


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="size"):
        make_toy_dataset(3, 4, 0)
    with pytest.raises(ValueError, match="n must be"):
        make_toy_dataset(0, 32, 0)
