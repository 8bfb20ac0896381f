"""The paper's toy dataset (section 3.1): centred squares whose size is the regression target.

An image is a centred square of intensity +0.5 on a background of -0.5, plus Gaussian-filtered
white noise rescaled to a standard deviation of 0.5. The square's half-side is
``int(0.4 * size * y)`` pixels (89.6 * y at 224 px), with the label law
``y = round(0.75 * Weibull(shape=7), 2)``.

Because the images are generated, the disease-effect map between a label ``y`` and a desired
label ``y'`` is known exactly: ``clean(y') - clean(y)``, the difference of the noise-free squares.

Every function takes its randomness as an argument (a :class:`numpy.random.Generator` or a seed).
Train, validation and test sets must be drawn from different seeds: the published code reused one
seed for every split and so evaluated on its training images.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.ndimage import gaussian_filter

__all__ = [
    "BACKGROUND",
    "FOREGROUND",
    "PAPER_SIZE",
    "ToyDataset",
    "ToyPairs",
    "as_generator",
    "half_side",
    "make_toy_dataset",
    "make_toy_pairs",
    "noise_sigma",
    "render_squares",
    "sample_desired_labels",
    "sample_labels",
    "sample_labels_below",
    "smoothed_noise",
]

BACKGROUND = -0.5
FOREGROUND = 0.5
PAPER_SIZE = 224
WEIBULL_SHAPE = 7.0
WEIBULL_SCALE = 0.75
NOISE_SIGMA_AT_224 = 2.5
NOISE_STD = 0.5


class ToyDataset(NamedTuple):
    """A toy dataset: noisy images, their noise-free versions and labels.

    Attributes
    ----------
    images : ndarray of shape (N, H, W), float32
        Square + smoothed noise, what a model sees.
    clean : ndarray of shape (N, H, W), float32
        The noise-free squares (-0.5 background, +0.5 square).
    y : ndarray of shape (N,), float32
        Regression targets (rounded to 2 decimals).
    """

    images: np.ndarray
    clean: np.ndarray
    y: np.ndarray


class ToyPairs(NamedTuple):
    """Evaluation pairs: images with ``y >= threshold`` and a desired ``y' < threshold``.

    Attributes
    ----------
    index : ndarray of shape (M,), int64
        Index of each pair's image in the dataset it was drawn from.
    x : ndarray of shape (M, H, W), float32
        The input images.
    y : ndarray of shape (M,), float32
        Their labels.
    y_prime : ndarray of shape (M,), float32
        The desired labels.
    target : ndarray of shape (M, H, W), float32
        Ground-truth disease-effect maps ``clean(y') - clean(y)`` (a ring of -1).
    """

    index: np.ndarray
    x: np.ndarray
    y: np.ndarray
    y_prime: np.ndarray
    target: np.ndarray


def as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Return ``rng`` as a :class:`numpy.random.Generator` (a seed or None makes a new one)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def sample_labels(n: int, rng: np.random.Generator | int | None) -> np.ndarray:
    """Draw ``n`` labels ``round(0.75 * Weibull(7), 2)``.

    Returns
    -------
    y : ndarray of shape (n,), float32
    """
    rng = as_generator(rng)
    return np.round(WEIBULL_SCALE * rng.weibull(WEIBULL_SHAPE, size=n), 2).astype(np.float32)


def sample_labels_below(
    n: int,
    threshold: float,
    rng: np.random.Generator | int | None,
) -> np.ndarray:
    """Draw ``n`` labels from the toy law restricted to ``y < threshold`` (rejection sampling).

    Returns
    -------
    y : ndarray of shape (n,), float32
    """
    rng = as_generator(rng)
    out = np.empty(0, dtype=np.float32)
    while out.size < n:
        draw = sample_labels(max(2 * (n - out.size), 16), rng)
        out = np.concatenate([out, draw[draw < threshold]])
    return out[:n]


def half_side(y: np.ndarray | float, size: int) -> np.ndarray:
    """Half-side in pixels of the square for label(s) ``y`` at image size ``size``.

    ``int(0.4 * size * y)``, clipped to the image (``size // 2``).
    """
    h = np.floor(0.4 * size * np.asarray(y, dtype=np.float64) + 1e-9).astype(np.int64)
    return np.clip(h, 0, size // 2)


def render_squares(y: np.ndarray, size: int) -> np.ndarray:
    """Noise-free toy images: a centred square of +0.5 on -0.5.

    The square of half-side ``h`` covers rows and columns ``[size//2 - h, size//2 + h)``.

    Parameters
    ----------
    y : ndarray of shape (N,)
        Labels.
    size : int
        Image side in pixels.

    Returns
    -------
    clean : ndarray of shape (N, size, size), float32
    """
    h = half_side(np.atleast_1d(y), size)
    centre = size // 2
    coords = np.arange(size)
    # Distance of each row/column to the centre, in the half-open square convention.
    inside_1d = (coords[None, :] >= centre - h[:, None]) & (coords[None, :] < centre + h[:, None])
    inside = inside_1d[:, :, None] & inside_1d[:, None, :]
    return np.where(inside, FOREGROUND, BACKGROUND).astype(np.float32)


def noise_sigma(size: int) -> float:
    """Gaussian smoothing sigma of the noise at ``size`` (2.5 px at 224, scaled with size)."""
    return NOISE_SIGMA_AT_224 * size / PAPER_SIZE


def smoothed_noise(
    n: int, size: int, rng: np.random.Generator | int | None, precision: type[np.floating] = np.float64
) -> np.ndarray:
    """White noise N(0, 1) smoothed with a Gaussian and rescaled to std 0.5 per image.

    ``precision`` is the dtype of the draw and the filtering: float64 for the datasets; float32
    draws another stream of the same law, about 3x faster (the paper-scale floor).

    Returns
    -------
    noise : ndarray of shape (n, size, size), float32
    """
    rng = as_generator(rng)
    white = rng.standard_normal((n, size, size), dtype=precision)
    smooth = gaussian_filter(white, sigma=(0.0, noise_sigma(size), noise_sigma(size)), mode="wrap")
    std = smooth.std(axis=(1, 2), keepdims=True)
    return (NOISE_STD * smooth / std).astype(np.float32)


def make_toy_dataset(n: int, size: int, rng: np.random.Generator | int | None) -> ToyDataset:
    """Generate ``n`` toy images of ``size`` x ``size`` pixels.

    Parameters
    ----------
    n : int
        Number of images.
    size : int
        Image side in pixels (224 in the paper).
    rng : numpy.random.Generator or int or None
        Source of randomness; use a different seed for every split.

    Returns
    -------
    ToyDataset
        ``(images, clean, y)`` with images and clean of shape (n, size, size) and y of shape (n,).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels, got {size}")
    rng = as_generator(rng)
    y = sample_labels(n, rng)
    clean = render_squares(y, size)
    images = clean + smoothed_noise(n, size, rng)
    return ToyDataset(images=images.astype(np.float32), clean=clean, y=y)


def sample_desired_labels(
    y: np.ndarray, size: int, rng: np.random.Generator | int | None, threshold: float = 0.7
) -> np.ndarray:
    """Desired labels ``y' < threshold`` for the labels ``y`` of pair images, each with a
    half-side (at ``size``) different from its ``y``'s, so every ground truth is non-empty.

    Returns
    -------
    y_prime : ndarray of shape (M,), float32
    """
    rng = as_generator(rng)
    y_prime = np.empty(np.shape(y), dtype=np.float32)
    todo = np.arange(y_prime.size)
    for _ in range(1000):
        if todo.size == 0:
            return y_prime
        y_prime[todo] = sample_labels_below(todo.size, threshold, rng)
        todo = todo[half_side(y_prime[todo], size) == half_side(y[todo], size)]
    raise RuntimeError("could not draw desired labels with a non-empty ground truth")  # pragma: no cover


def make_toy_pairs(
    dataset: ToyDataset,
    rng: np.random.Generator | int | None,
    threshold: float = 0.7,
) -> ToyPairs:
    """Evaluation pairs of a toy dataset: each image with ``y >= threshold`` and a desired ``y'``.

    ``y'`` is drawn from the toy law restricted to ``y' < threshold``. At small image sizes two
    labels can give the same half-side (e.g. 0.69 and 0.70 at 32 px), which would make the
    ground-truth map empty and its NCC undefined; such draws are rejected and redrawn, so every
    pair has a non-empty ground truth.

    Returns
    -------
    ToyPairs
    """
    size = dataset.images.shape[-1]
    index = np.flatnonzero(dataset.y >= threshold)
    y = dataset.y[index]
    y_prime = sample_desired_labels(y, size, rng, threshold)
    target = render_squares(y_prime, size) - dataset.clean[index]
    return ToyPairs(
        index=index.astype(np.int64),
        x=dataset.images[index],
        y=y,
        y_prime=y_prime,
        target=target.astype(np.float32),
    )
