"""Registration ground truth: a known affine is recovered, the border is handled, pairs are flagged (vrgan.registration)."""

import numpy as np
import pytest
from scipy import ndimage as ndi

from vrgan.registration import (
    RegistrationThresholds,
    assess_registration,
    difference_map,
    register_affine,
    register_pair,
    register_pairs,
    valid_region,
)


def smooth_image(size=96, seed=0):
    rng = np.random.default_rng(seed)
    image = ndi.gaussian_filter(rng.normal(size=(size, size)), 3.0)
    return image / image.std()


def warp(image, matrix):
    """moving[r, c] such that moving sampled at matrix @ (c, r, 1) gives image: the inverse warp."""
    inverse = np.linalg.inv(matrix)
    # scipy maps output (row, col) to input (row, col): swap the (col, row) convention.
    swap = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    m = swap @ inverse @ swap
    return ndi.affine_transform(image, m[:2, :2], offset=m[:2, 2], order=3, mode="nearest")


def test_register_affine_recovers_a_known_affine_to_subpixel_accuracy():
    reference = smooth_image()
    true = np.array([[1.04, 0.03, 2.6], [-0.02, 0.97, -3.4], [0, 0, 1]])
    moving = warp(reference, true)
    aligned, matrix = register_affine(reference, moving)
    assert matrix.shape == (3, 3)
    # the displacement of every pixel of the central region is recovered to well below a pixel
    rows, cols = np.mgrid[16:80, 16:80]
    points = np.stack([cols.ravel(), rows.ravel(), np.ones(rows.size)])
    error = np.abs((matrix - true) @ points)[:2].max()
    assert error < 0.1, (error, matrix)
    inner = (slice(12, -12), slice(12, -12))
    assert np.abs(aligned[inner] - reference[inner]).max() < 0.05


def test_identity_pair_gives_identity_matrix_and_zero_difference():
    reference = smooth_image(48, seed=2)
    result = register_pair(reference, reference)
    np.testing.assert_allclose(result.matrix, np.eye(3), atol=1e-6)
    assert result.valid.all() and np.abs(result.delta).max() < 1e-5
    assert result.ncc_before == pytest.approx(1) and result.status == "barely_improved"


def test_invalid_border_is_nan_in_aligned_and_zero_in_the_difference():
    reference = smooth_image(64, seed=1)
    shift = np.array([[1, 0, 0], [0, 1, 5.0], [0, 0, 1]])  # sample 5 rows further down in the moving image
    moving = warp(reference, shift)
    aligned, matrix = register_affine(reference, moving)
    assert matrix[1, 2] == pytest.approx(5.0, abs=0.05)
    valid = valid_region(reference.shape, matrix)
    assert not valid[-3:].any() and valid[:-6].all()  # the last rows sample beyond the frame
    np.testing.assert_array_equal(np.isnan(aligned), ~valid)
    delta = difference_map(reference, aligned)
    assert np.all(np.isfinite(delta)) and np.all(delta[~valid] == 0)
    np.testing.assert_allclose(delta[valid], (aligned - reference)[valid], atol=1e-6)


def test_register_pair_improves_ncc_and_reports_ok():
    reference = smooth_image(64, seed=3)
    moving = warp(reference, np.array([[1.05, 0.02, 1.5], [0.01, 0.96, -2.0], [0, 0, 1]]))
    result = register_pair(reference, moving)
    assert result.ncc_after > result.ncc_before + 0.05 and result.status == "ok" and result.reason == ""
    assert 0.8 < result.valid_fraction <= 1
    assert result.delta.dtype == np.float32 and result.aligned.shape == reference.shape


@pytest.mark.parametrize(
    ("args", "status", "reason"),
    [
        ((0.5, 0.8, 0.9, np.eye(3)), "ok", ""),
        ((0.5, 0.505, 0.9, np.eye(3)), "barely_improved", "ncc_gain"),
        ((0.5, 0.495, 0.9, np.eye(3)), "barely_improved", "ncc_gain"),
        ((0.5, 0.4, 0.9, np.eye(3)), "failed", "ncc_decreased"),
        ((0.5, 0.9, 0.3, np.eye(3)), "failed", "small_overlap"),
        ((0.5, 0.9, 0.9, np.diag([2.5, 1, 1])), "failed", "implausible_transform"),
        ((0.5, 0.9, 0.9, np.diag([-1, 1, 1])), "failed", "implausible_transform"),
        ((0.5, 0.9, 0.9, np.full((3, 3), np.nan)), "failed", "non_finite_matrix"),
        ((0.5, np.nan, 0.9, np.eye(3)), "failed", "undefined_ncc"),
    ],
)
def test_assess_registration_thresholds(args, status, reason):
    got_status, got_reason = assess_registration(*args, RegistrationThresholds(0.01, 0.5, 2.0))
    assert got_status == status and got_reason.startswith(reason)


def test_register_pairs_in_processes_equals_in_process():
    refs = [smooth_image(40, seed=s) for s in range(3)]
    movs = [warp(r, np.array([[1.02, 0, 1.0], [0, 0.99, -0.5], [0, 0, 1]])) for r in refs]
    one = register_pairs(refs, movs, threads=1)
    two = register_pairs(refs, movs, threads=2)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a.matrix, b.matrix)
        np.testing.assert_array_equal(a.delta, b.delta)
        assert a.status == b.status


def test_bad_inputs_are_rejected():
    with pytest.raises(ValueError, match="one shape"):
        register_affine(np.zeros((8, 8)), np.zeros((8, 9)))
    with pytest.raises(ValueError, match="finite"):
        register_affine(np.full((8, 8), np.nan), np.zeros((8, 8)))
    with pytest.raises(ValueError, match="threads"):
        register_pairs([np.zeros((8, 8))], [np.zeros((8, 8))], threads=0)
