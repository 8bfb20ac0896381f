"""Generating disease-effect maps with a trained generator, and loading checkpoints."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import torch

from vrgan.models import UNetGenerator, condition_planes
from vrgan.training.device import autocast
from vrgan.training.settings import TrainingSettings

__all__ = ["load_generator", "predict_maps"]


@torch.no_grad()
def predict_maps(
    generator: UNetGenerator,
    x: np.ndarray,
    y: np.ndarray,
    y_prime: np.ndarray,
    device: torch.device,
    dtype: torch.dtype | None = None,
    batch_size: int = 50,
) -> np.ndarray:
    """Δx = G(x, y', y) for every image, in eval mode (BatchNorm running statistics).

    Parameters
    ----------
    generator : UNetGenerator
        A conditional (VR-GAN) or unconditional (VA-GAN) generator; y and y' are ignored by
        the latter.
    x : ndarray of shape (M, H, W)
        Images in the model's range.
    y, y_prime : ndarray of shape (M,)
        Original and desired labels.

    Returns
    -------
    delta : ndarray of shape (M, H, W), float32
    """
    was_training = generator.training
    generator.eval()
    out = np.empty(x.shape, dtype=np.float32)
    try:
        for start in range(0, x.shape[0], batch_size):
            stop = start + batch_size
            xb = torch.from_numpy(np.ascontiguousarray(x[start:stop], dtype=np.float32)[:, None]).to(device)
            cond = None
            if generator.n_conditions:
                cond = condition_planes(
                    torch.as_tensor(y_prime[start:stop]), torch.as_tensor(y[start:stop])
                ).to(device)
            with autocast(device, dtype):
                delta = generator(xb, cond)
            out[start:stop] = delta.float()[:, 0].cpu().numpy()
    finally:
        generator.train(was_training)
    return out


def load_generator(checkpoint: str | Path, device: torch.device | str = "cpu") -> tuple[UNetGenerator, TrainingSettings]:
    """The generator stored in a ``best.pt`` checkpoint, and the settings it was trained with.

    The file is read with ``weights_only=True``: tensors and plain Python values only, so a
    checkpoint cannot run code when it is loaded.

    Raises
    ------
    ValueError
        If the file is not a checkpoint written by :func:`vrgan.training.train`, or holds objects
        other than tensors and plain values.
    """
    try:
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise ValueError(
            f"{checkpoint} holds objects other than tensors and plain values, so it is not loaded "
            f"(not a vrgan checkpoint, or written by other code): {str(err).splitlines()[0]}"
        ) from None
    if not isinstance(state, dict) or "generator" not in state or "settings" not in state:
        raise ValueError(f"{checkpoint} is not a vrgan generator checkpoint (keys: generator, settings)")
    settings = TrainingSettings.from_dict(state["settings"])
    generator = UNetGenerator(
        settings.generator.base_channels,
        settings.generator.depth,
        3 if settings.conditional else 0,
        settings.generator.bn_momentum,
    )
    generator.load_state_dict(state["generator"])
    return generator.to(device).eval(), settings
