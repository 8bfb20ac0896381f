"""NCC: the paper's quality measure."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from vrgan.metrics import input_specific_ncc, masked_ncc, ncc, ncc_within, summarize_ncc


def test_identical_maps_score_one_negated_minus_one():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 5, 4))
    np.testing.assert_allclose(ncc(a, a), 1.0)
    np.testing.assert_allclose(ncc(-a, a), -1.0)
    np.testing.assert_allclose(ncc(2 * a + 3, a), 1.0)  # positive affine change


def test_hand_computed_2x2():
    pred = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    target = np.array([[[1.0, 0.0], [0.0, 0.0]]])
    # centred: pred [-1.5,-.5,.5,1.5], target [.75,-.25,-.25,-.25]; cov = (-1.125+.125-.125-.375)/4
    expected = (-1.5 / 4) / (np.sqrt(5 / 4) * np.sqrt(0.75 / 4))
    np.testing.assert_allclose(ncc(pred, target), [expected])
    assert ncc(pred, target)[0] == pytest.approx(np.corrcoef(pred.ravel(), target.ravel())[0, 1])


def test_constant_prediction_scores_zero_constant_target_is_nan():
    target = np.zeros((2, 4, 4))
    target[:, 1, 1] = -1
    pred = np.zeros((2, 4, 4))
    np.testing.assert_array_equal(ncc(pred, target), [0.0, 0.0])
    values = ncc(target, np.full((2, 4, 4), 3.0))
    assert np.isnan(values).all()
    stats = summarize_ncc(np.array([0.5, np.nan, 0.7]))
    assert stats["n"] == 2 and stats["n_undefined"] == 1 and stats["mean"] == pytest.approx(0.6)


def test_input_specific_ncc_by_hand_2x2():
    m = np.array([[0.0, -1.0], [-1.0, 0.0]])  # the mean validation ground truth
    target = np.array([[[0.0, -1.0], [-1.0, -1.0]]])  # target - m = [[0, 0], [0, -1]]
    pred = np.array([[[0.0, -1.0], [-1.0, -2.0]]])  # pred - m = [[0, 0], [0, -2]]
    # whole image: centred pred [1, 0, 0, -1], target [.75, -.25, -.25, -.25]; cov 1/4
    assert ncc(pred, target)[0] == pytest.approx(0.25 / (np.sqrt(0.5) * np.sqrt(0.75 / 4)))  # sqrt(2/3)
    assert input_specific_ncc(pred, target, m)[0] == pytest.approx(1.0)  # the part beyond m is exact
    np.testing.assert_array_equal(input_specific_ncc(m[None].astype(np.float32), target, m), [0.0])  # ignores x
    np.testing.assert_array_equal(input_specific_ncc(np.zeros((1, 2, 2)), target, m), [0.0])  # a zero map too
    assert ncc(-m[None], target - m)[0] == pytest.approx(np.sqrt(1 / 3))  # ... not NCC(0 - m, target - m)
    assert np.isnan(input_specific_ncc(pred, m[None], m)[0])  # target = m: nothing input-specific to find
    with pytest.raises(ValueError, match=r"mean_map shape \(3, 3\)"):
        input_specific_ncc(pred, target, np.zeros((3, 3)))


def test_ncc_within_scores_the_masked_pixels_only_4x4():
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((2, 4, 4, 4))  # 4 maps of 4 x 4; outside the mask: noise
    mask = np.zeros((4, 4, 4), dtype=bool)
    mask[:, 1:3, 1:3] = True  # a 2 x 2 overlap: pixels (1,1) (1,2) (2,1) (2,2)
    pred[0, 1:3, 1:3], target[0, 1:3, 1:3] = [[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [0.0, 0.0]]
    pred[1, 1:3, 1:3] = 7.0  # constant inside the mask: 0
    target[2, 1:3, 1:3] = -1.0  # constant target inside the mask: NaN
    mask[3] = False
    mask[3, 0, 0] = True  # one pixel: NaN
    got = ncc_within(pred, target, mask)
    assert got[0] == pytest.approx((-1.5 / 4) / (np.sqrt(5 / 4) * np.sqrt(0.75 / 4)))  # as the 2x2 by hand
    assert got[1] == 0.0 and np.isnan(got[2]) and np.isnan(got[3])
    np.testing.assert_allclose(ncc_within(pred, target, np.ones_like(mask)), ncc(pred, target))
    with pytest.raises(ValueError, match="share one"):
        ncc_within(pred, target, mask[:, :2])
    for i in range(4):  # one map at a time: the same scores
        np.testing.assert_allclose(masked_ncc(pred[i], target[i], mask[i]), got[i])
    assert masked_ncc(pred[0], target[0]) == pytest.approx(ncc(pred[:1], target[:1])[0])


def test_torch_and_numpy_agree():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((4, 8, 8)), rng.standard_normal((4, 8, 8))
    got = ncc(torch.from_numpy(a).float(), torch.from_numpy(b).float())
    assert isinstance(got, torch.Tensor) and got.shape == (4,)
    np.testing.assert_allclose(got.numpy(), ncc(a, b), atol=1e-5)
    const = ncc(torch.zeros(1, 8, 8), torch.from_numpy(b[:1]).float())
    assert const.item() == 0.0


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"shapes differ: \(2, 4, 4\) vs \(2, 4, 5\)"):
        ncc(np.zeros((2, 4, 4)), np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match="expected maps of shape"):
        ncc(np.zeros((4, 4)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="both"):
        ncc(np.zeros((1, 2, 2)), torch.zeros(1, 2, 2))


def test_importing_the_numpy_scorers_does_not_import_torch():
    code = "import sys, vrgan.metrics, vrgan.evaluation; assert 'torch' not in sys.modules, 'torch imported'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
