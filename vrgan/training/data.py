"""In-memory training images and evaluation pairs, as the trainers consume them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["EvalPairs", "ImageBank"]


@dataclass
class EvalPairs:
    """Images with a desired label and the ground-truth disease-effect map.

    Attributes
    ----------
    x : ndarray of shape (M, H, W), float32
        Input images in the model's range.
    y, y_prime : ndarray of shape (M,), float32
        Original and desired labels.
    target : ndarray of shape (M, H, W), float32
        Ground-truth Δx.
    """

    x: np.ndarray
    y: np.ndarray
    y_prime: np.ndarray
    target: np.ndarray

    def __post_init__(self) -> None:
        m = self.x.shape[0]
        if self.x.ndim != 3 or self.target.shape != self.x.shape:
            raise ValueError(f"x and target must both be (M, H, W), got {self.x.shape} and {self.target.shape}")
        if self.y.shape != (m,) or self.y_prime.shape != (m,):
            raise ValueError(f"y and y_prime must have shape ({m},), got {self.y.shape} and {self.y_prime.shape}")

    def __len__(self) -> int:
        return int(self.x.shape[0])


class ImageBank:
    """Training images with labels, sampled in random batches (optionally randomly cropped).

    Parameters
    ----------
    images : ndarray of shape (N, H, W), float32
        Training images in the model's range.
    y : ndarray of shape (N,)
        Their labels.
    crop : int or None
        Side of a random square crop taken from every sampled image (the paper's 256 -> 224
        augmentation); None uses whole images.
    threshold : float
        Class split for VA-GAN: ``y >= threshold`` is the "healthy" source class, ``y < threshold``
        the target class.
    device : torch.device
        Where sampled batches are placed.
    """

    def __init__(
        self,
        images: np.ndarray,
        y: np.ndarray,
        crop: int | None = None,
        threshold: float = 0.7,
        device: torch.device | str = "cpu",
    ) -> None:
        if images.ndim != 3 or images.shape[0] != y.shape[0]:
            raise ValueError(f"images must be (N, H, W) with one label each, got {images.shape} and {y.shape}")
        if crop is not None and (crop > images.shape[1] or crop > images.shape[2]):
            raise ValueError(f"crop {crop} is larger than the images {images.shape[1:]}")
        self.images = np.ascontiguousarray(images, dtype=np.float32)
        self.y = np.asarray(y, dtype=np.float32)
        self.crop = crop
        self.device = torch.device(device)
        self.subsets = {
            "all": np.arange(self.y.size),
            "healthy": np.flatnonzero(self.y >= threshold),
            "disease": np.flatnonzero(self.y < threshold),
        }

    def __len__(self) -> int:
        return int(self.y.size)

    @property
    def image_size(self) -> tuple[int, int]:
        """(H, W) of the batches this bank returns."""
        if self.crop is not None:
            return (self.crop, self.crop)
        return (self.images.shape[1], self.images.shape[2])

    def sample(
        self, rng: np.random.Generator, n: int, subset: str = "all"
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """A random batch: images (n, 1, h, w) and labels (n,), drawn with replacement.

        Raises
        ------
        ValueError
            If the subset (``all``, ``healthy``, ``disease``) is empty.
        """
        pool = self.subsets[subset]
        if pool.size == 0:
            raise ValueError(f"no training image in subset {subset!r}: VA-GAN needs both classes")
        index = pool[rng.integers(0, pool.size, size=n)]
        batch = self.images[index]
        if self.crop is not None:
            rows = rng.integers(0, self.images.shape[1] - self.crop + 1, size=n)
            cols = rng.integers(0, self.images.shape[2] - self.crop + 1, size=n)
            batch = np.stack([img[r : r + self.crop, c : c + self.crop] for img, r, c in zip(batch, rows, cols)])
        x = torch.from_numpy(batch[:, None]).to(self.device, non_blocking=True)
        y = torch.from_numpy(self.y[index]).to(self.device, non_blocking=True)
        return x, y

    def sample_labels(self, rng: np.random.Generator, n: int) -> torch.Tensor:
        """Labels of ``n`` random training images (VR-GAN's y', independent of the batch)."""
        return torch.from_numpy(self.y[rng.integers(0, self.y.size, size=n)]).to(self.device)
