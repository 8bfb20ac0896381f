"""NCC: the paper's quality measure."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from vrgan.metrics import ncc, summarize_ncc


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
