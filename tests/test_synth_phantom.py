"""The phantom: exact smoothstep support, the severity law, and where the disease effect lives."""

import numpy as np
import pytest

from vrgan.demo.synth.anatomy import anatomy_from_dict, anatomy_to_dict, draw_anatomy
from vrgan.demo.synth.layers import build_layers, grid_size_for, smoothstep
from vrgan.demo.synth.phantom import (
    Exposure,
    Pose,
    attenuation,
    diaphragm_at,
    lung_field_geometry,
    lung_fields,
    patient_coordinates,
    render_presentation,
)
from vrgan.demo.synth.pixel_encoding import (
    PixelEncoding,
    decoded_from_levels,
    decoded_from_stored,
    levels_from_presentation,
    stored_from_levels,
)

SHAPE = (96, 80)


@pytest.fixture(scope="module")
def subject():
    anatomy = draw_anatomy(np.random.default_rng(11))
    return anatomy, build_layers(anatomy, "PA", grid_size_for(SHAPE[0]))


def test_smoothstep_is_exactly_zero_and_one_outside_its_edges():
    x = np.array([-1.0, 0.0, 0.25, 0.5, 1.0, 2.0])
    np.testing.assert_array_equal(smoothstep(0.0, 1.0, x), [0.0, 0.0, 0.15625, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(smoothstep(1.0, 0.0, x), [1.0, 1.0, 0.84375, 0.5, 0.0, 0.0])


def test_patient_coordinates_of_a_2x2_image():
    rows, cols = patient_coordinates((2, 2), Pose())
    np.testing.assert_allclose(rows, [[-0.5, -0.5], [0.5, 0.5]])
    np.testing.assert_allclose(cols, [[-0.5, 0.5], [-0.5, 0.5]])
    rows, cols = patient_coordinates((2, 2), Pose(rotation_deg=90.0, scale=2.0))
    np.testing.assert_allclose(rows, [[-0.25, 0.25], [-0.25, 0.25]], atol=1e-15)
    np.testing.assert_allclose(cols, [[0.25, 0.25], [-0.25, -0.25]], atol=1e-15)


def test_anatomy_round_trips_through_json_dict(subject):
    anatomy, _ = subject
    back = anatomy_from_dict(anatomy_to_dict(anatomy))
    assert back.diaphragm_row == anatomy.diaphragm_row
    np.testing.assert_array_equal(back.vessels, anatomy.vessels)
    with pytest.raises(ValueError, match="lacks fields"):
        anatomy_from_dict({"vessels": []})


def test_severity_lowers_and_flattens_the_diaphragm(subject):
    anatomy, _ = subject
    for field in lung_field_geometry(anatomy, "PA"):
        angles, domes = zip(*(diaphragm_at(field, s) for s in np.linspace(0, 1, 5)))
        assert np.all(np.diff(angles) > 0) and np.all(np.diff(domes) < 0)
        tops = np.subtract(angles, domes)
        assert np.all(np.diff(tops) > 0)


def test_rendered_lungs_grow_downwards_and_darken_with_severity(subject):
    anatomy, layers = subject
    rows, cols = patient_coordinates(SHAPE, Pose())
    fields = lung_field_geometry(anatomy, "PA")
    healthy_mask, _ = lung_fields(fields, 0.0, rows, cols)
    always_lung = healthy_mask == 1.0
    lowest_row, mean_lung = [], []
    for s in np.linspace(0.0, 1.0, 5):
        mask, _ = lung_fields(fields, s, rows, cols)
        lowest_row.append(np.flatnonzero((mask > 0.5).any(axis=1)).max())
        image = render_presentation(anatomy, layers, s, Pose(), Exposure(), SHAPE)
        mean_lung.append(image[always_lung].mean())
    assert np.all(np.diff(lowest_row) > 0), lowest_row
    assert np.all(np.diff(mean_lung) < 0), mean_lung


def test_disease_effect_is_exactly_zero_outside_both_lung_fields(subject):
    anatomy, layers = subject
    pose = Pose(rotation_deg=3.0, scale=1.04, shift_row=0.03, shift_col=-0.02)
    a = attenuation(anatomy, layers, 0.1, pose, SHAPE)
    b = attenuation(anatomy, layers, 0.9, pose, SHAPE)
    rows, cols = patient_coordinates(SHAPE, pose)
    fields = lung_field_geometry(anatomy, "PA")
    lungs = (lung_fields(fields, 0.1, rows, cols)[0] > 0) | (lung_fields(fields, 0.9, rows, cols)[0] > 0)
    delta = b - a
    assert np.all(delta[~lungs] == 0.0)
    assert np.count_nonzero(delta[lungs]) > 0.9 * lungs.sum()
    spine = np.abs(cols) < anatomy.spine_half_width
    assert spine.any() and np.all(delta[spine] == 0.0)


def test_lateral_and_ap_views_render_and_respond_to_severity(subject):
    anatomy, _ = subject
    for view in ("AP", "LL"):
        layers = build_layers(anatomy, view, grid_size_for(SHAPE[0]))
        a = render_presentation(anatomy, layers, 0.0, Pose(), Exposure(), SHAPE)
        b = render_presentation(anatomy, layers, 1.0, Pose(), Exposure(), SHAPE)
        assert a.shape == SHAPE and b.mean() < a.mean()
    with pytest.raises(ValueError, match="view must be one of"):
        build_layers(anatomy, "OBLIQUE", 64)


def test_attenuation_rejects_severity_outside_unit_interval(subject):
    anatomy, layers = subject
    with pytest.raises(ValueError, match=r"severity must be in \[0, 1\]"):
        attenuation(anatomy, layers, 1.5, Pose(), SHAPE)


def test_pixel_encoding_spaces_by_hand():
    levels = levels_from_presentation(np.array([[0.0, 0.5], [1.0, 1.2]]), PixelEncoding(2, "MONOCHROME2"))
    np.testing.assert_array_equal(levels, [[0, 2], [3, 3]])  # rint(1.5) = 2, clipped above 1
    mono1 = PixelEncoding(2, "MONOCHROME1")
    stored = stored_from_levels(np.array([[0, 1], [2, 3]], dtype=np.uint16), mono1)
    np.testing.assert_array_equal(stored, [[3, 2], [1, 0]])
    np.testing.assert_array_equal(decoded_from_stored(stored, mono1), [[0, 1], [2, 3]])
    rescaled = PixelEncoding(2, "MONOCHROME2", rescale_slope=2, rescale_intercept=-1, has_rescale=True)
    q = np.array([[0, 1], [2, 3]], dtype=np.uint16)
    np.testing.assert_array_equal(decoded_from_stored(stored_from_levels(q, rescaled), rescaled), [[-1, 1], [3, 5]])
    np.testing.assert_array_equal(decoded_from_levels(q, rescaled), [[-1, 1], [3, 5]])
    with pytest.raises(ValueError, match="MONOCHROME1 images must have the identity rescale"):
        PixelEncoding(12, "MONOCHROME1", rescale_slope=2)
