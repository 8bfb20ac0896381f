"""How a presentation value becomes the stored integers of a DICOM image, and back.

Three integer spaces are involved (all per image):

* the *level* ``q = round(clip(p, 0, 1) * (2**BitsStored - 1))`` of a presentation value ``p``
  (dense = high);
* the *stored* value written in PixelData: ``q`` for MONOCHROME2, ``(2**BitsStored - 1) - q``
  for MONOCHROME1 (dense = low on disk);
* the *decoded* value an ingest obtains after the modality LUT and MONOCHROME1 inversion
  (dicom-notes: decode -> rescale -> invert MONOCHROME1): ``slope * stored + intercept`` for
  MONOCHROME2 and ``(2**BitsStored - 1) - stored`` for MONOCHROME1. It equals ``slope * q +
  intercept`` (MONOCHROME2) or ``q`` (MONOCHROME1): dense = high in both cases.

MONOCHROME1 images always have the identity rescale (slope 1, intercept 0), so the inversion
constant is unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "PixelEncoding",
    "levels_from_presentation",
    "stored_from_levels",
    "decoded_from_levels",
    "decoded_from_stored",
]

PHOTOMETRICS = ("MONOCHROME1", "MONOCHROME2")


@dataclass(frozen=True)
class PixelEncoding:
    """Stored-pixel description of one image.

    Attributes
    ----------
    bits_stored : int
        12, 14 or 16 (BitsAllocated is always 16, PixelRepresentation 0).
    photometric : {"MONOCHROME1", "MONOCHROME2"}
    rescale_slope, rescale_intercept : int
        Modality LUT; identity unless ``has_rescale``.
    has_rescale : bool
        Whether RescaleSlope/Intercept/Type are written (always for DX).
    """

    bits_stored: int
    photometric: str
    rescale_slope: int = 1
    rescale_intercept: int = 0
    has_rescale: bool = False

    def __post_init__(self) -> None:
        if not 2 <= self.bits_stored <= 16:
            raise ValueError(f"bits_stored must be in 2..16, got {self.bits_stored}")
        if self.photometric not in PHOTOMETRICS:
            raise ValueError(f"photometric must be one of {PHOTOMETRICS}, got {self.photometric!r}")
        if self.rescale_slope < 1:
            raise ValueError(f"rescale_slope must be a positive integer, got {self.rescale_slope}")
        if self.photometric == "MONOCHROME1" and (self.rescale_slope, self.rescale_intercept) != (1, 0):
            raise ValueError("MONOCHROME1 images must have the identity rescale (slope 1, intercept 0)")

    @property
    def max_level(self) -> int:
        """Largest stored value, ``2**bits_stored - 1``."""
        return (1 << self.bits_stored) - 1


def levels_from_presentation(presentation: NDArray[np.floating], encoding: PixelEncoding) -> NDArray[np.uint16]:
    """Quantise presentation values (nominally [0, 1], clipped) to levels.

    Parameters
    ----------
    presentation : ndarray of shape (H, W), float
    encoding : PixelEncoding

    Returns
    -------
    ndarray of shape (H, W), uint16, in [0, 2**bits_stored - 1]
    """
    return np.rint(np.clip(presentation, 0.0, 1.0) * encoding.max_level).astype(np.uint16)


def stored_from_levels(levels: NDArray[np.uint16], encoding: PixelEncoding) -> NDArray[np.uint16]:
    """Values written to PixelData (MONOCHROME1 stores dense = low).

    Parameters
    ----------
    levels : ndarray of shape (H, W), uint16
    encoding : PixelEncoding

    Returns
    -------
    ndarray of shape (H, W), uint16 (a new array)
    """
    if encoding.photometric == "MONOCHROME1":
        return (encoding.max_level - levels.astype(np.int64)).astype(np.uint16)
    return levels.astype(np.uint16, copy=True)


def decoded_from_levels(levels: NDArray[np.integer], encoding: PixelEncoding) -> NDArray[np.int64]:
    """What an ingest decodes (modality LUT applied, MONOCHROME1 inverted): dense = high.

    Parameters
    ----------
    levels : ndarray of shape (H, W), integer
    encoding : PixelEncoding

    Returns
    -------
    ndarray of shape (H, W), int64
    """
    if encoding.photometric == "MONOCHROME1":
        return levels.astype(np.int64)
    return encoding.rescale_slope * levels.astype(np.int64) + encoding.rescale_intercept


def decoded_from_stored(stored: NDArray[np.integer], encoding: PixelEncoding) -> NDArray[np.int64]:
    """Reference decoding of stored values: rescale, then invert MONOCHROME1.

    Parameters
    ----------
    stored : ndarray of shape (H, W), integer
        Pixel values as read from PixelData.
    encoding : PixelEncoding

    Returns
    -------
    ndarray of shape (H, W), int64
    """
    modality = encoding.rescale_slope * stored.astype(np.int64) + encoding.rescale_intercept
    if encoding.photometric == "MONOCHROME1":
        return encoding.max_level - modality
    return modality
