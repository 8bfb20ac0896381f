"""Training pairs with their ground-truth map, for the supervised ceiling.

The supervised method (``vrgan.training.methods.Supervised``) is told the answer: it samples
(x, y, y', Δx_true) and regresses Δx_true. Two sources:

- :class:`CleanPairBank`: training images with their noise-free versions, where the noise-free
  image is a function of the label (the toy: ``Δx_true = clean(y') - clean(y)``). y' is the
  label of another random training image, as VR-GAN draws it, and its noise-free image is clean(y').
- :class:`TruthPairBank`: a fixed set of pairs with their true maps (the x-ray demo: pairs of
  exams of one training subject, ``vrgan.demo.train_pairs``), randomly cropped with the same box
  on x and on its map.

Both expose ``sample_pairs(rng, n)`` and a ``device``; they are separate from
:class:`~vrgan.training.data.ImageBank`, so VR-GAN and VA-GAN sample exactly as before.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

__all__ = ["CleanPairBank", "PairBank", "TruthPairBank"]

PairBatch = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


class PairBank:
    """Training pairs (x, y, y', Δx_true) sampled in random batches; subclasses define the draw."""

    device: torch.device = torch.device("cpu")

    def sample_pairs(self, rng: np.random.Generator, n: int) -> PairBatch:
        """A random batch: x (n, 1, h, w), y (n,), y' (n,) and the true Δx (n, 1, h, w)."""
        raise NotImplementedError

    def _tensors(self, x: np.ndarray, y: np.ndarray, y_prime: np.ndarray, target: np.ndarray) -> PairBatch:
        def put(a: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).to(self.device)

        return put(x[:, None]), put(y), put(y_prime), put(target[:, None])


class CleanPairBank(PairBank):
    """Pairs of two training images i, j: x = images[i], y' = y[j], true map clean[j] - clean[i].

    For data sets whose noise-free image is a function of the label alone (the toy), so that
    ``clean[j]`` is also what x would look like at label y[j]. y' is thus the label of a random
    training image, as VR-GAN draws it.

    Parameters
    ----------
    images : ndarray of shape (N, H, W), float32
        Training images in the model's range.
    clean : ndarray of shape (N, H, W), float32
        Their noise-free versions.
    y : ndarray of shape (N,)
        Their labels.
    max_redraws : int
        A j whose true map is empty (e.g. 0.69 and 0.70 give the same toy square at 32 px) is
        redrawn, as for the evaluation pairs (``vrgan.toy.make_toy_pairs``), up to this many
        times; such an empty target would only teach "change nothing" for a pair that the
        evaluation never asks.
    device : torch.device or str
    """

    def __init__(
        self,
        images: np.ndarray,
        clean: np.ndarray,
        y: np.ndarray,
        max_redraws: int = 100,
        device: torch.device | str = "cpu",
    ) -> None:
        if images.ndim != 3 or clean.shape != images.shape or images.shape[0] != np.shape(y)[0]:
            raise ValueError(
                f"images and clean must be (N, H, W) with one label each, got {images.shape}, {clean.shape} "
                f"and {np.shape(y)}"
            )
        self.images = np.ascontiguousarray(images, dtype=np.float32)
        self.clean = np.ascontiguousarray(clean, dtype=np.float32)
        self.y = np.asarray(y, dtype=np.float32)
        self.max_redraws = max_redraws
        self.device = torch.device(device)

    def __len__(self) -> int:
        return int(self.y.size)

    def sample_pairs(self, rng: np.random.Generator, n: int) -> PairBatch:
        i = rng.integers(0, self.y.size, size=n)
        j = rng.integers(0, self.y.size, size=n)
        target = self.clean[j] - self.clean[i]
        for _ in range(self.max_redraws):
            empty = np.flatnonzero(~target.any(axis=(1, 2)))
            if empty.size == 0:
                break
            j[empty] = rng.integers(0, self.y.size, size=empty.size)
            target[empty] = self.clean[j[empty]] - self.clean[i[empty]]
        return self._tensors(self.images[i], self.y[i], self.y[j], target)


class TruthPairBank(PairBank):
    """A fixed set of training pairs with their true maps, sampled with replacement.

    Parameters
    ----------
    x : ndarray of shape (M, S, S), float32
        The images the map is applied to.
    y, y_prime : ndarray of shape (M,)
        Their labels and the desired labels.
    target : ndarray of shape (M, S, S), float32
        The true Δx of every pair.
    crop : int or None
        Side of a random square crop, the same box on x and on its map (None: whole images).
    device : torch.device or str
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        y_prime: np.ndarray,
        target: np.ndarray,
        crop: int | None = None,
        device: torch.device | str = "cpu",
    ) -> None:
        m = x.shape[0]
        if x.ndim != 3 or target.shape != x.shape:
            raise ValueError(f"x and target must both be (M, H, W), got {x.shape} and {target.shape}")
        if m == 0:
            raise ValueError("no training pair: the supervised method needs at least one")
        if np.shape(y) != (m,) or np.shape(y_prime) != (m,):
            raise ValueError(f"y and y_prime must have shape ({m},), got {np.shape(y)} and {np.shape(y_prime)}")
        if crop is not None and (crop > x.shape[1] or crop > x.shape[2]):
            raise ValueError(f"crop {crop} is larger than the images {x.shape[1:]}")
        self.x = np.ascontiguousarray(x, dtype=np.float32)
        self.target = np.ascontiguousarray(target, dtype=np.float32)
        self.y = np.asarray(y, dtype=np.float32)
        self.y_prime = np.asarray(y_prime, dtype=np.float32)
        self.crop = crop
        self.device = torch.device(device)

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], crop: int | None = None) -> "TruthPairBank":
        """From a mapping with ``x``, ``y``, ``y_prime`` and ``target`` (e.g. an ``np.load``)."""
        return cls(arrays["x"], arrays["y"], arrays["y_prime"], arrays["target"], crop)

    def __len__(self) -> int:
        return int(self.y.size)

    def sample_pairs(self, rng: np.random.Generator, n: int) -> PairBatch:
        index = rng.integers(0, self.y.size, size=n)
        x, target = self.x[index], self.target[index]
        if self.crop is not None:
            c = self.crop
            rows = rng.integers(0, self.x.shape[1] - c + 1, size=n)
            cols = rng.integers(0, self.x.shape[2] - c + 1, size=n)
            x = np.stack([a[r : r + c, q : q + c] for a, r, q in zip(x, rows, cols)])
            target = np.stack([a[r : r + c, q : q + c] for a, r, q in zip(target, rows, cols)])
        return self._tensors(x, self.y[index], self.y_prime[index], target)
