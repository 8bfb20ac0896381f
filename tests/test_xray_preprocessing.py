"""Preprocessing: value ranges, exact invariances of the equalisation, crop bookkeeping (vrgan.preprocessing)."""

import numpy as np
import pytest

from vrgan.preprocessing import (
    CropBox,
    apply_equalization,
    centre_crop,
    centre_square_crop,
    equalization_mapping,
    equalize,
    preprocess_image,
    resize,
    to_model_range,
)


def decoded_image(rows=48, cols=40, seed=0, bits=12):
    """A float32 image holding integers, like the cohort cache."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2**bits, size=(rows, cols)).astype(np.float32)


def test_equalize_hand_computed_4x4():
    image = np.array([[0, 0, 5, 5], [5, 5, 5, 9], [9, 9, 9, 9], [20, 20, 20, 20]], dtype=np.float32)
    expected = np.array([[2, 2, 7, 7], [7, 7, 7, 12], [12, 12, 12, 12], [16, 16, 16, 16]]) / 16
    np.testing.assert_array_equal(equalize(image), expected)


def test_equalize_range_is_zero_to_one_with_max_exactly_one():
    out = equalize(decoded_image())
    assert out.dtype == np.float64 and out.min() > 0 and out.max() == 1.0


def test_equalize_is_exactly_invariant_to_increasing_integer_affine_rescaling():
    image = decoded_image()
    reference = equalize(image)
    for slope, intercept in [(1, -1024), (3, 7), (16, -32768)]:
        rescaled = (slope * image.astype(np.float64) + intercept).astype(np.float32)
        np.testing.assert_array_equal(equalize(rescaled), reference)


def test_equalize_is_exactly_invariant_to_the_monochrome1_inversion_constant():
    image = decoded_image(bits=14)
    inverted = [(2.0**bits - 1) - image for bits in (14, 16)]  # BitsStored may lie: either constant
    np.testing.assert_array_equal(equalize(inverted[0]), equalize(inverted[1]))
    np.testing.assert_array_equal(equalize(-image), equalize(inverted[0]))
    assert not np.array_equal(equalize(inverted[0]), equalize(image))  # the direction matters


def test_equalize_ignores_empty_bins_and_does_not_mutate():
    image = decoded_image()
    spread = image.copy()
    spread[spread > 2000] += 50000  # a gap of empty levels
    np.testing.assert_array_equal(equalize(spread), equalize(image))
    before = image.copy()
    equalize(image)
    np.testing.assert_array_equal(image, before)


def test_apply_equalization_reproduces_equalize_and_interpolates_between_levels():
    image = decoded_image()
    mapping = equalization_mapping(image)
    np.testing.assert_array_equal(apply_equalization(image, mapping), equalize(image))
    small = np.array([[0, 10], [10, 30]], dtype=np.float32)
    m = equalization_mapping(small)
    assert m.values.tolist() == [0, 10, 30] and m.cdf.tolist() == [0.25, 0.75, 1.0]
    out = apply_equalization(np.array([[-5.0, 5.0], [20.0, 99.0]]), m)
    np.testing.assert_allclose(out, [[0.25, 0.5], [0.875, 1.0]])


@pytest.mark.parametrize("bad", [np.zeros(5), np.array([[1.0, np.nan]]), np.zeros((0, 3))])
def test_equalize_rejects_bad_images(bad):
    with pytest.raises(ValueError, match="2-D|NaN|empty"):
        equalize(bad)


@pytest.mark.parametrize(
    ("shape", "box"), [((6, 4), CropBox(1, 0, 4, 4)), ((4, 7), CropBox(0, 1, 4, 4)), ((5, 5), CropBox(0, 0, 5, 5))]
)
def test_centre_square_crop_box(shape, box):
    image = np.arange(np.prod(shape)).reshape(shape)
    crop, got = centre_square_crop(image)
    assert got == box
    np.testing.assert_array_equal(crop, image[box.slices()])
    crop[0, 0] = -1
    assert image.min() == 0  # a copy


def test_resize_keeps_range_and_is_linear():
    rng = np.random.default_rng(1)
    a, b = rng.random((30, 30)), rng.random((30, 30))
    out = resize(a, 12)
    assert out.shape == (12, 12) and a.min() <= out.min() and out.max() <= a.max()
    np.testing.assert_allclose(resize(a - b, 12), resize(a, 12) - resize(b, 12), atol=1e-12)
    zero_middle = np.zeros((30, 30))
    zero_middle[:3] = 1
    assert np.all(resize(zero_middle, 10)[5:] == 0)


def test_to_model_range_maps_unit_interval_and_rejects_other_ranges():
    np.testing.assert_array_equal(to_model_range(np.array([0.0, 0.25, 1.0])), np.array([-1, -0.5, 1], np.float32))
    assert to_model_range(np.array([0.5])).dtype == np.float32
    with pytest.raises(ValueError, match=r"equalised values in \[0, 1\]"):
        to_model_range(np.array([1.5]))


def test_preprocess_image_range_shape_and_metadata():
    image = decoded_image(50, 41)
    out, meta = preprocess_image(image, 16)
    assert out.shape == (16, 16) and out.dtype == np.float32
    assert -1 < out.min() and out.max() <= 1
    assert (meta.original_rows, meta.original_columns) == (50, 41)
    assert meta.crop_box == CropBox(4, 0, 41, 41) and meta.resize == 16
    assert meta.n_levels == np.unique(image).size and meta.source_min == image.min() and meta.source_max == image.max()


def test_preprocess_image_is_invariant_to_rescale_and_inversion_constant():
    image = decoded_image(40, 33, bits=12)
    out, _ = preprocess_image(image, 20)
    rescaled, _ = preprocess_image(2 * image - 100, 20)
    np.testing.assert_array_equal(out, rescaled)
    inv_a, _ = preprocess_image(4095 - image, 20)
    inv_b, _ = preprocess_image(65535 - image, 20)
    np.testing.assert_array_equal(inv_a, inv_b)


def test_preprocess_with_own_mapping_equals_default_and_constant_image_is_rejected():
    image = decoded_image(33, 40)
    out, _ = preprocess_image(image, 12)
    again, _ = preprocess_image(image, 12, equalization=equalization_mapping(image))
    np.testing.assert_array_equal(out, again)
    with pytest.raises(ValueError, match="constant"):
        preprocess_image(np.full((8, 8), 7.0), 4)


def test_centre_crop_of_a_stack_and_sizes():
    stack = np.arange(2 * 6 * 6).reshape(2, 6, 6)
    crop = centre_crop(stack, 4)
    np.testing.assert_array_equal(crop, stack[:, 1:5, 1:5])
    np.testing.assert_array_equal(centre_crop(np.arange(25).reshape(5, 5), 2), [[6, 7], [11, 12]])
    with pytest.raises(ValueError, match="does not fit"):
        centre_crop(stack, 7)
