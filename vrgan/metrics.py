"""Quality of a disease-effect map: normalized cross-correlation (NCC) with the ground truth.

The paper scores a generated map ``Δx`` against the expected map with the normalized
cross-correlation, averaged over the test set. Per image both maps are centred on their own mean,
multiplied pixel-wise, summed and divided by ``H * W * std(pred) * std(target)``. With the
population standard deviation used here this is exactly Pearson's correlation coefficient of the
two maps' pixels (the published code divided by the unbiased std, which differs by the factor
``(H*W - 1) / (H*W)``, below 0.01 % at 32 px).

Constant maps are handled explicitly: a constant prediction (for example a generator that outputs
zeros) carries no attribution and scores 0; a constant target makes the score undefined and gives
NaN, so an ill-posed pair can never silently count as a success or a failure.

Two variants score numpy maps for the report's floor and ceiling table:

- :func:`input_specific_ncc` removes the part of the map that every input shares: the NCC of
  ``Δx - m`` with ``target - m``, ``m`` the mean validation ground truth. A map that ignores its
  input (``Δx = m``) scores exactly 0; only what a map adapts to the image and the labels counts.
- :func:`ncc_within` restricts the NCC to a per-map mask (the x-ray registration overlap);
  :func:`masked_ncc` does so for one map (the registration's own before/after score).

torch is optional here: it is imported only when ``ncc`` is given tensors, so the data and imaging
environments (no torch) can score numpy maps.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, overload

import numpy as np

if TYPE_CHECKING:
    import torch

__all__ = ["input_specific_ncc", "masked_ncc", "ncc", "ncc_within", "summarize_ncc"]

_EPS = 1e-12


def _is_tensor(value: Any) -> bool:
    """True for a torch tensor; never imports torch (a tensor exists only if torch is loaded)."""
    torch_module = sys.modules.get("torch")
    return torch_module is not None and isinstance(value, torch_module.Tensor)


@overload
def ncc(pred: np.ndarray, target: np.ndarray) -> np.ndarray: ...


@overload
def ncc(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor: ...


def ncc(pred, target):
    """Normalized cross-correlation of each predicted map with its target.

    Parameters
    ----------
    pred : ndarray or Tensor of shape (N, H, W)
        Generated disease-effect maps (a (N, 1, H, W) tensor is accepted too).
    target : ndarray or Tensor of shape (N, H, W)
        Ground-truth maps, same shape as ``pred``.

    Returns
    -------
    ndarray or Tensor of shape (N,)
        One value in [-1, 1] per image, float64 for numpy input, float32 for tensors: 1 for
        identical maps (up to a positive affine change), -1 for negated ones, 0 where ``pred`` is
        constant, NaN where ``target`` is constant.

    Raises
    ------
    ValueError
        If the shapes differ or are not (N, H, W).
    """
    is_torch = _is_tensor(pred)
    if is_torch != _is_tensor(target):
        raise ValueError("pred and target must both be numpy arrays or both be torch tensors")
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError(f"pred and target shapes differ: {tuple(pred.shape)} vs {tuple(target.shape)}")
    if pred.ndim == 4 and pred.shape[1] == 1:
        pred, target = pred[:, 0], target[:, 0]
    if pred.ndim != 3:
        raise ValueError(f"expected maps of shape (N, H, W), got {tuple(pred.shape)}")
    if is_torch:
        import torch

        a = pred.detach().float().flatten(1)
        b = target.detach().float().flatten(1).to(a.device)
        const_a = a.amax(dim=1) == a.amin(dim=1)
        const_b = b.amax(dim=1) == b.amin(dim=1)
        a = a - a.mean(dim=1, keepdim=True)
        b = b - b.mean(dim=1, keepdim=True)
        std_a = a.pow(2).mean(dim=1).sqrt()
        std_b = b.pow(2).mean(dim=1).sqrt()
        value = (a * b).mean(dim=1) / (std_a * std_b).clamp_min(_EPS)
        value = torch.where(const_a, torch.zeros_like(value), value)
        value = torch.where(const_b, torch.full_like(value, float("nan")), value)
        return value.clamp(-1.0, 1.0)
    a = np.asarray(pred, dtype=np.float64).reshape(pred.shape[0], -1)
    b = np.asarray(target, dtype=np.float64).reshape(target.shape[0], -1)
    const_a = a.max(axis=1) == a.min(axis=1)
    const_b = b.max(axis=1) == b.min(axis=1)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    std_a = np.sqrt((a**2).mean(axis=1))
    std_b = np.sqrt((b**2).mean(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = (a * b).mean(axis=1) / np.maximum(std_a * std_b, _EPS)
    value = np.where(const_a, 0.0, value)
    value = np.where(const_b, np.nan, value)
    return np.clip(value, -1.0, 1.0)


def input_specific_ncc(pred: np.ndarray, target: np.ndarray, mean_map: np.ndarray) -> np.ndarray:
    """NCC of ``pred - mean_map`` with ``target - mean_map``: what a map adapts to its input.

    Parameters
    ----------
    pred, target : ndarray of shape (N, H, W)
        Predicted and ground-truth maps.
    mean_map : ndarray of shape (H, W)
        The mean validation ground truth ``m``, subtracted from both.

    Returns
    -------
    ndarray of shape (N,), float64
        0 where ``pred`` is constant (a zero map, as :func:`ncc`) or ``pred - m`` is
        (``pred = m``): such maps ignore their input and score exactly 0; NaN where
        ``target - m`` is constant. Any other map that ignores its input scores
        ``NCC(pred - m, target - m)``, about 0 on average over pairs when ``m`` is also the mean
        of the scored ground truths.

    Examples
    --------
    >>> m = np.array([[0.0, -1.0], [-1.0, 0.0]])
    >>> input_specific_ncc(m[None], np.array([[[0.0, -1.0], [-1.0, -1.0]]]), m)
    array([0.])
    """
    mean_map = np.asarray(mean_map, dtype=np.float64)
    if mean_map.shape != tuple(pred.shape[-2:]):
        raise ValueError(f"mean_map shape {mean_map.shape} does not match the maps' {tuple(pred.shape[-2:])}")
    pred = np.asarray(pred, dtype=np.float64)
    value = ncc(pred - mean_map, np.asarray(target, dtype=np.float64) - mean_map)
    flat = pred.reshape(pred.shape[0], -1)
    return np.where(flat.max(axis=1) == flat.min(axis=1), 0.0, value)


def ncc_within(pred: np.ndarray, target: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """:func:`ncc` of each map with its target over the pixels of its own mask.

    Parameters
    ----------
    pred, target : ndarray of shape (N, H, W)
    mask : ndarray of shape (N, H, W), bool
        The pixels scored, per map (e.g. the registration overlap).

    Returns
    -------
    ndarray of shape (N,), float64
        0 where ``pred`` is constant inside the mask, NaN where ``target`` is, or where the mask
        has fewer than 2 pixels.
    """
    if not pred.shape == target.shape == mask.shape or pred.ndim != 3:
        raise ValueError(
            f"pred, target and mask must share one (N, H, W) shape, got {pred.shape}, {target.shape}, {mask.shape}"
        )
    keep = np.asarray(mask, dtype=bool).reshape(mask.shape[0], -1)
    a = np.asarray(pred, dtype=np.float64).reshape(keep.shape)
    b = np.asarray(target, dtype=np.float64).reshape(keep.shape)
    n = keep.sum(axis=1)

    def constant(v: np.ndarray) -> np.ndarray:
        return np.where(keep, v, np.inf).min(axis=1) == np.where(keep, v, -np.inf).max(axis=1)

    const_a, const_b = constant(a), constant(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(keep, a - np.where(keep, a, 0.0).sum(axis=1, keepdims=True) / n[:, None], 0.0)
        b = np.where(keep, b - np.where(keep, b, 0.0).sum(axis=1, keepdims=True) / n[:, None], 0.0)
    std_a, std_b = np.sqrt((a**2).sum(axis=1) / n), np.sqrt((b**2).sum(axis=1) / n)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = (a * b).sum(axis=1) / n / np.maximum(std_a * std_b, _EPS)
    value = np.where(const_a, 0.0, value)
    value = np.where(const_b | (n < 2), np.nan, value)
    return np.clip(value, -1.0, 1.0)


def masked_ncc(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    """:func:`ncc` of one (H, W) map with its target over the pixels of ``mask`` (all if None).

    NaN where fewer than 2 pixels are kept. Equal to :func:`ncc_within` of the one map up to
    rounding (the kept pixels are summed on their own here).
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if mask is not None:
        keep = np.asarray(mask, dtype=bool)
        a, b = a[keep], b[keep]
    if a.size < 2:
        return float("nan")
    return float(ncc(a.reshape(1, 1, -1), b.reshape(1, 1, -1))[0])


def summarize_ncc(values: np.ndarray) -> dict[str, float]:
    """Mean, std and count of per-image NCC values; undefined (NaN) values are counted apart.

    Returns
    -------
    dict
        ``mean`` and ``std`` over the defined values, ``n`` defined values, ``n_undefined``.
    """
    values = np.asarray(values, dtype=np.float64)
    defined = values[np.isfinite(values)]
    return {
        "mean": float(defined.mean()) if defined.size else float("nan"),
        "std": float(defined.std()) if defined.size else float("nan"),
        "n": int(defined.size),
        "n_undefined": int(values.size - defined.size),
    }
