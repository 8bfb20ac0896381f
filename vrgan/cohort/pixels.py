"""Stored pixel values to cached intensities.

The order, applied by ``intensities_from_stored`` to the decoded stored values:

1. modality LUT / rescale (``pydicom.pixels.apply_modality_lut``: the Modality LUT Sequence
   if present, else RescaleSlope * x + RescaleIntercept; identity when neither is present);
2. VOI LUT / windowing: **never** applied (it clips and bends the histogram, which the
   histogram equalisation of the x-ray stage must see whole);
3. MONOCHROME1 inverted with ``(2**BitsStored - 1) - x``, so that for every image a larger
   value means more x-ray attenuation (brighter bone), as in MONOCHROME2;
4. stored as float32.

Inversion comes after the rescale because the modality LUT is defined on stored values (it
must see them un-inverted) and inversion is a statement about the output values; this is
highdicom's default order. The constant ``2**BitsStored - 1`` is kept even when a rescale was
applied, so a rescaled MONOCHROME1 image can leave ``[0, 2**BitsStored - 1]``; the
equalisation downstream is exactly invariant to that constant and to increasing affine maps,
so only the direction of the inversion matters. float32 holds every integer below 2**24
exactly, so 16-bit stored values survive unchanged.
"""

from __future__ import annotations

import errno
import warnings
from dataclasses import dataclass

import numpy as np
import pydicom
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.pixels import apply_modality_lut

CACHE_DTYPE = np.dtype(np.float32)


@dataclass(frozen=True)
class IntensityInfo:
    """What was done to one image's values, kept beside the cached array."""

    stored_min: float
    stored_max: float
    cached_min: float
    cached_max: float
    inverted: bool
    rescaled: bool
    bits_stored_exceeded: bool


def invert_monochrome1(values: NDArray[np.floating], bits_stored: int) -> NDArray[np.floating]:
    """``(2**bits_stored - 1) - values``: MONOCHROME1 to MONOCHROME2 orientation.

    Parameters
    ----------
    values : ndarray of shape (H, W)
    bits_stored : int
        BitsStored (0028,0101), 1 to 32.

    Returns
    -------
    ndarray of shape (H, W), same dtype as ``values`` (a new array).
    """
    if not 1 <= bits_stored <= 32:
        raise ValueError(f"bits_stored must be in [1, 32], got {bits_stored}")
    return (2.0**bits_stored - 1) - values


def intensities_from_stored(stored: NDArray[np.integer], ds: Dataset) -> tuple[NDArray[np.float32], IntensityInfo]:
    """Apply modality LUT/rescale, then invert MONOCHROME1, and convert to float32.

    Parameters
    ----------
    stored : ndarray of shape (H, W)
        Stored values as decoded (``ds.pixel_array``), not modified.
    ds : pydicom.Dataset
        Its PhotometricInterpretation, BitsStored, Rescale*/ModalityLUTSequence are read.

    Returns
    -------
    image : ndarray of shape (H, W), float32
    info : IntensityInfo
    """
    if stored.ndim != 2:
        raise ValueError(f"expected a single frame of shape (H, W), got shape {stored.shape}")
    bits_stored = int(ds.get("BitsStored") or ds.get("BitsAllocated") or 16)
    rescaled = "ModalityLUTSequence" in ds or _is_rescaled(ds)
    values = apply_modality_lut(stored, ds) if rescaled else stored
    values = np.asarray(values, dtype=np.float64)
    photometric = str(ds.get("PhotometricInterpretation", "")).strip().upper()
    inverted = photometric == "MONOCHROME1"
    if inverted:
        values = invert_monochrome1(values, bits_stored)
    image = values.astype(CACHE_DTYPE)
    stored_min, stored_max = (float(stored.min()), float(stored.max())) if stored.size else (0.0, 0.0)
    info = IntensityInfo(
        stored_min=stored_min,
        stored_max=stored_max,
        cached_min=float(image.min()) if image.size else 0.0,
        cached_max=float(image.max()) if image.size else 0.0,
        inverted=inverted,
        rescaled=rescaled,
        bits_stored_exceeded=stored_max > 2**bits_stored - 1 or stored_min < -(2 ** (bits_stored - 1)),
    )
    return image, info


def _is_rescaled(ds: Dataset) -> bool:
    slope = ds.get("RescaleSlope")
    intercept = ds.get("RescaleIntercept")
    return (slope is not None and float(slope) != 1.0) or (intercept is not None and float(intercept) != 0.0)


def decode_rejection(err: Exception) -> DecodeRejection:
    """The reason code of an exception raised while decoding pixel data.

    ``FileNotFoundError`` / ``PermissionError`` (gone or locked since the header pass) ->
    ``unreadable``; ``ValueError`` "... less than expected" (native data cut short) -> ``truncated``;
    ``RuntimeError`` naming missing plugin dependencies -> ``unsupported_syntax``;
    anything else -> ``decode_error``. Messages never include the exception text, which can
    name the file.
    """
    text = str(err)
    if isinstance(err, (FileNotFoundError, PermissionError)):
        name = errno.errorcode.get(err.errno or 0, type(err).__name__)
        return DecodeRejection("unreadable", f"file cannot be read in the decode pass ({name})")
    if isinstance(err, ValueError) and "less than expected" in text:
        return DecodeRejection("truncated", "fewer pixel bytes than Rows x Columns x BitsAllocated")
    if isinstance(err, (RuntimeError, NotImplementedError)) and "missing dependencies" in text:
        return DecodeRejection("unsupported_syntax", "no installed plugin decodes this transfer syntax")
    return DecodeRejection("decode_error", f"pixel data rejected by the decoder ({type(err).__name__})")


class DecodeRejection(Exception):
    """A file whose pixels cannot be decoded; ``status`` is a reason code."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def decode_file(path: str) -> tuple[NDArray[np.float32], IntensityInfo]:
    """Read one single-frame grayscale DICOM file and return its cached intensities.

    Parameters
    ----------
    path : str
        A file accepted by the header pass.

    Returns
    -------
    image : ndarray of shape (H, W), float32
        See the module docstring for the order of operations.
    info : IntensityInfo

    Raises
    ------
    DecodeRejection
        ``truncated`` (fewer pixel bytes than declared), ``unsupported_syntax`` (no decoder
        plugin) or ``decode_error`` (anything else the decoder refuses).
    """
    with warnings.catch_warnings():
        # pydicom warnings quote file names and values (UIDs): keep them out of logs, for the
        # whole read, since values are converted (and validated) when first used
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(path)
            stored = ds.pixel_array
        except Exception as err:  # noqa: BLE001 - corrupt streams raise many types
            raise decode_rejection(err) from None
        if stored.ndim != 2:
            raise DecodeRejection("multiframe", f"decoded array has shape {stored.shape}")
        try:
            return intensities_from_stored(stored, ds)
        except Exception as err:  # noqa: BLE001 - a malformed rescale or LUT is a rejection
            raise DecodeRejection("decode_error", f"intensities cannot be computed ({type(err).__name__})") from None
