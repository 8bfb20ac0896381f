"""Chest x-ray preprocessing (paper section 3.2): equalise, crop a centred square, resize, [-1, 1].

Value ranges, one per stage (every conversion between them is a named function here):

1. **decoded**: the cached image of the cohort stage (``vrgan.cohort.ImageCache``): stored
   values after the modality LUT / rescale and the MONOCHROME1 inversion, no VOI windowing;
   float32 holding integers (rescaled values may be negative or non-integer), dense = high.
2. **equalised**, in (0, 1]: ``equalize`` replaces every value by the fraction of the image's
   pixels that are <= it (the empirical CDF; histogram equalisation in which every distinct
   value is its own bin). The result depends only on the order of the values, so it is
   *exactly* the same for ``a * x + b`` with ``a > 0`` (any increasing integer-affine
   rescale), for ``c - x`` whatever the inversion constant ``c`` (``2**BitsStored - 1`` or
   another), and it cannot be changed by empty bins.
3. **model input**, in (-1, 1]: ``to_model_range`` maps (0, 1] affinely, ``2 * v - 1``.

``preprocess_image`` composes them in the order of the issue: equalise the whole decoded
image (its own histogram, all pixels), then ``centre_square_crop`` (the largest centred
square), ``resize`` to ``size x size`` (bilinear, Gaussian anti-aliasing when shrinking), and
``to_model_range``. Equalising first, at full resolution, keeps the exact invariances above
(after a resize the values are no longer the stored integers) and uses every stored value;
the crop then only removes rows or columns. The paper's follow-up equalised after the resize
with 256 bins; with a centred crop of a whole chest film the two differ little, and this order
is the one that can be checked exactly. The evaluation crop (``centre_crop``) comes after, on model-range
arrays; the training crop (paper 224 from 256) is drawn per batch by
``vrgan.training.data.ImageBank``.

Because crop, resize and ``2 v - 1`` are linear in the image, a difference of two images
preprocessed with the same equalisation mapping and crop box (``preprocess_image(...,
equalization=mapping)``) is the preprocessed difference of their equalised values: zero
wherever the two equalised images agree over the support of the resize kernel.

Arrays are (rows, cols) = (H, W); no function modifies its input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from skimage.transform import resize as _skimage_resize

__all__ = [
    "CropBox",
    "EqualizationMapping",
    "PreprocessMetadata",
    "apply_equalization",
    "centre_crop",
    "centre_crop_box",
    "centre_square_crop",
    "equalization_mapping",
    "equalize",
    "preprocess_image",
    "resize",
    "to_model_range",
]

EQUALIZATION_METHOD = "distinct_values_cdf"  # recorded beside every preprocessed image
MODEL_DTYPE = np.dtype(np.float32)


@dataclass(frozen=True)
class CropBox:
    """A rectangle of an image: rows ``top:top + height``, columns ``left:left + width``."""

    top: int
    left: int
    height: int
    width: int

    def slices(self) -> tuple[slice, slice]:
        """``(row slice, column slice)`` of the box."""
        return slice(self.top, self.top + self.height), slice(self.left, self.left + self.width)


@dataclass(frozen=True)
class EqualizationMapping:
    """The equalisation lookup table of one image (its empirical CDF).

    Attributes
    ----------
    values : ndarray of shape (K,), float64
        The image's distinct values, increasing.
    cdf : ndarray of shape (K,), float64
        Fraction of the image's pixels ``<=`` each value: increasing, in (0, 1], last 1.
    """

    values: NDArray[np.float64]
    cdf: NDArray[np.float64]


@dataclass(frozen=True)
class PreprocessMetadata:
    """What ``preprocess_image`` did to one image; stored beside the cached array."""

    original_rows: int
    original_columns: int
    crop_top: int
    crop_left: int
    crop_size: int
    resize: int  # side after the resize
    equalization: str
    n_levels: int  # distinct values of the image whose histogram gave the mapping
    source_min: float  # smallest / largest decoded value of that image
    source_max: float

    @property
    def crop_box(self) -> CropBox:
        return CropBox(self.crop_top, self.crop_left, self.crop_size, self.crop_size)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _image(image: ArrayLike, name: str = "image") -> NDArray:
    array = np.asarray(image)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows, cols), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def equalization_mapping(image: ArrayLike) -> EqualizationMapping:
    """The equalisation lookup table of ``image``: its distinct values and their CDF.

    Parameters
    ----------
    image : array_like of shape (H, W)
        Decoded values (finite).

    Returns
    -------
    EqualizationMapping

    Raises
    ------
    ValueError
        If the image is not 2-D, empty or holds NaN/inf.
    """
    array = _image(image)
    values, counts = np.unique(array.astype(np.float64, copy=False), return_counts=True)
    return EqualizationMapping(values=values, cdf=np.cumsum(counts) / array.size)


def equalize(image: ArrayLike) -> NDArray[np.float64]:
    """Histogram equalisation in which every distinct value is its own bin.

    Parameters
    ----------
    image : array_like of shape (H, W)
        Decoded values (finite); typically float32 holding integers.

    Returns
    -------
    ndarray of shape (H, W), float64, in (0, 1]
        The fraction of the pixels of ``image`` that are ``<=`` each pixel. The maximum is 1;
        the minimum is (number of pixels at the minimum) / (H * W). A constant image gives
        all ones. Exactly (bit for bit) invariant to any increasing map of the values, in
        particular ``a * image + b`` with ``a > 0`` and ``c - image`` for any ``c``.

    Examples
    --------
    >>> equalize(np.array([[0, 10], [10, 30]]))
    array([[0.25, 0.75],
           [0.75, 1.  ]])
    """
    array = _image(image)
    _, inverse, counts = np.unique(array.astype(np.float64, copy=False), return_inverse=True, return_counts=True)
    return (np.cumsum(counts) / array.size)[inverse.reshape(array.shape)]


def apply_equalization(image: ArrayLike, mapping: EqualizationMapping) -> NDArray[np.float64]:
    """Map values through another image's equalisation lookup table.

    Values equal to one of the mapping's values get exactly its CDF (so
    ``apply_equalization(x, equalization_mapping(x)) == equalize(x)``); values in between are
    interpolated linearly, values below the smallest get the smallest CDF and values above the
    largest get 1. Used to put a noise-free rendering on the intensity scale of a real image.

    Parameters
    ----------
    image : array_like of shape (H, W)
    mapping : EqualizationMapping

    Returns
    -------
    ndarray of shape (H, W), float64, in (0, 1]
    """
    array = _image(image)
    return np.interp(array.astype(np.float64, copy=False), mapping.values, mapping.cdf)


def centre_square_crop(image: ArrayLike) -> tuple[NDArray, CropBox]:
    """The largest centred square of an image.

    Parameters
    ----------
    image : array_like of shape (H, W)

    Returns
    -------
    crop : ndarray of shape (S, S), S = min(H, W)
        A copy (the input is never a view target for later writes).
    box : CropBox
        Where the square lies in ``image``; an odd surplus leaves the extra row/column at the
        bottom/right (``top = (H - S) // 2``).

    Examples
    --------
    >>> centre_square_crop(np.arange(12).reshape(3, 4))[1]
    CropBox(top=0, left=0, height=3, width=3)
    """
    array = np.asarray(image)
    if array.ndim != 2:
        raise ValueError(f"image must be 2-D (rows, cols), got shape {array.shape}")
    rows, cols = array.shape
    side = min(rows, cols)
    box = CropBox((rows - side) // 2, (cols - side) // 2, side, side)
    return array[box.slices()].copy(), box


def resize(image: ArrayLike, size: int) -> NDArray[np.float64]:
    """Resize a square image to ``size x size`` (bilinear; Gaussian anti-aliasing if shrinking).

    A linear operation (``skimage.transform.resize``, ``order=1``, ``mode="edge"``, the
    anti-aliasing sigma ``(scale - 1) / 2`` truncated at 4 sigma): the result is the same
    weighted average of input pixels for every image of one shape, so values stay in the
    input's range and a region of zeros wider than the kernel stays exactly zero.

    Parameters
    ----------
    image : array_like of shape (S, S)
    size : int
        Output side, >= 1.

    Returns
    -------
    ndarray of shape (size, size), float64
    """
    array = np.asarray(image, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"resize expects a square 2-D image, got shape {array.shape}")
    if int(size) != size or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    if array.shape == (size, size):
        return array.copy()
    return _skimage_resize(array, (size, size), order=1, mode="edge", anti_aliasing=size < array.shape[0])


def to_model_range(equalized: ArrayLike) -> NDArray[np.float32]:
    """Equalised values in (0, 1] to the model's input range (-1, 1]: ``2 * v - 1``, float32.

    Parameters
    ----------
    equalized : array_like of shape (...)
        Values in [0, 1].

    Returns
    -------
    ndarray, float32, same shape

    Raises
    ------
    ValueError
        If a value lies outside [0, 1] (an image that was not equalised).
    """
    array = np.asarray(equalized, dtype=np.float64)
    if array.size and (np.nanmin(array) < 0.0 or np.nanmax(array) > 1.0):
        raise ValueError(
            f"to_model_range expects equalised values in [0, 1], got [{np.nanmin(array)}, {np.nanmax(array)}]"
        )
    return (2.0 * array - 1.0).astype(MODEL_DTYPE)


def preprocess_image(
    image: ArrayLike, size: int, equalization: EqualizationMapping | None = None
) -> tuple[NDArray[np.float32], PreprocessMetadata]:
    """Decoded image -> model input: equalise, centre square crop, resize, to (-1, 1].

    Parameters
    ----------
    image : array_like of shape (H, W)
        Decoded values (``ImageCache.load``), finite.
    size : int
        Side after the resize (paper 256).
    equalization : EqualizationMapping, optional
        Lookup table to use instead of the image's own (``equalization_mapping(x)`` of the real
        image x when preprocessing a rendering of x, so that both share x's intensity scale).

    Returns
    -------
    array : ndarray of shape (size, size), float32, in (-1, 1]
    metadata : PreprocessMetadata
        Original shape, crop box (in the original image), size, equalisation method and the
        number of levels / value range of the image that gave the mapping.

    Raises
    ------
    ValueError
        If the image is not 2-D, holds NaN/inf, or is constant (nothing to equalise).
    """
    array = _image(image)
    mapping = equalization if equalization is not None else equalization_mapping(array)
    if mapping.values.size < 2:
        raise ValueError("image is constant: histogram equalisation is undefined")
    equalized = apply_equalization(array, mapping) if equalization is not None else equalize(array)
    square, box = centre_square_crop(equalized)
    model = to_model_range(np.clip(resize(square, size), 0.0, 1.0))
    metadata = PreprocessMetadata(
        original_rows=int(array.shape[0]),
        original_columns=int(array.shape[1]),
        crop_top=box.top,
        crop_left=box.left,
        crop_size=box.height,
        resize=int(size),
        equalization=EQUALIZATION_METHOD,
        n_levels=int(mapping.values.size),
        source_min=float(mapping.values[0]),
        source_max=float(mapping.values[-1]),
    )
    return model, metadata


def centre_crop_box(shape: Sequence[int], size: int) -> CropBox:
    """The centred ``size x size`` box of an (…, H, W) shape (extra row/column at bottom/right)."""
    rows, cols = int(shape[-2]), int(shape[-1])
    if not 1 <= size <= min(rows, cols):
        raise ValueError(f"crop size {size} does not fit in an image of {rows} x {cols}")
    return CropBox((rows - size) // 2, (cols - size) // 2, size, size)


def centre_crop(image: ArrayLike, size: int) -> NDArray:
    """The centred ``size x size`` crop (evaluation; paper 224 of 256).

    Parameters
    ----------
    image : array_like of shape (..., H, W)
        One image or a stack; the same box is cut from every image.
    size : int

    Returns
    -------
    ndarray of shape (..., size, size), a copy
    """
    array = np.asarray(image)
    rows, cols = centre_crop_box(array.shape, size).slices()
    return array[..., rows, cols].copy()
