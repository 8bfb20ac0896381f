"""Registration ground truth (paper section 3.2, Fig. 3): affine alignment, then subtraction.

For a validation/test pair the COPD image x' (moving) is aligned to the non-COPD image x
(reference) with pystackreg's affine mode (TurboReg, least squares on the intensities, cubic
spline interpolation), and the ground-truth disease effect is ``Δx = aligned - reference``.

Matrix convention (pystackreg's): ``matrix`` is 3 x 3 and maps a pixel of the reference /
aligned frame, written ``(col, row, 1)``, to the position in the moving image it is sampled
from: ``aligned[r, c] = moving[(matrix @ (c, r, 1))[1], (matrix @ (c, r, 1))[0]]``.

Invalid border: where that source position falls outside the moving image (pystackreg's
rule: rounded to the nearest pixel it is not a pixel of the frame), pystackreg writes 0,
which in the model's range is mid-grey, not "no data". Here ``register_affine`` returns NaN
there (``valid_region`` gives the mask), and ``difference_map`` sets Δx to 0 there: no
information about a change is scored as no change, so maps stay finite for the trainer and the
NCC; the fraction of valid pixels is kept per pair and a small one flags the registration.

Quality: ``ncc_before`` is the NCC (``vrgan.metrics.ncc``) of reference and moving over the whole
frame, ``ncc_after`` that of reference and aligned over the valid pixels. ``assess_registration``
turns them into a status with documented thresholds (``RegistrationThresholds``).

pystackreg holds the GIL, so ``register_pairs`` runs in worker processes, not threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pystackreg import StackReg

from vrgan.metrics import masked_ncc

__all__ = [
    "PairRegistration",
    "RegistrationThresholds",
    "assess_registration",
    "difference_map",
    "register_affine",
    "register_pair",
    "register_pairs",
    "valid_region",
]

STATUSES = ("ok", "barely_improved", "failed")


@dataclass(frozen=True)
class RegistrationThresholds:
    """When a registration is flagged (config ``xray.registration``).

    Attributes
    ----------
    min_ncc_gain : float
        ``|ncc_after - ncc_before|`` below this is ``barely_improved``; a decrease by more
        than this is ``failed``.
    min_valid_fraction : float
        Fewer valid (inside-the-moving-frame) pixels than this fraction is ``failed``.
    max_scale : float
        A singular value of the matrix's 2 x 2 part outside ``[1 / max_scale, max_scale]``, or
        a reflection (determinant <= 0), is ``failed``: not a plausible repositioning of the
        same chest.
    """

    min_ncc_gain: float = 0.01
    min_valid_fraction: float = 0.5
    max_scale: float = 2.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_valid_fraction <= 1.0:
            raise ValueError(f"min_valid_fraction must be in [0, 1], got {self.min_valid_fraction}")
        if self.max_scale < 1.0:
            raise ValueError(f"max_scale must be >= 1, got {self.max_scale}")


@dataclass(frozen=True)
class PairRegistration:
    """The registration of one pair and its ground-truth map.

    Attributes
    ----------
    aligned : ndarray of shape (H, W), float32
        The moving image in the reference frame, NaN outside ``valid``.
    matrix : ndarray of shape (3, 3), float64
        See the module docstring for the convention.
    valid : ndarray of shape (H, W), bool
    delta : ndarray of shape (H, W), float32
        ``difference_map(reference, aligned)``.
    ncc_before, ncc_after, valid_fraction : float
    status : str
        ``ok``, ``barely_improved`` or ``failed``.
    reason : str
        Empty for ``ok``; otherwise what triggered the status, with the numbers.
    """

    aligned: NDArray[np.float32]
    matrix: NDArray[np.float64]
    valid: NDArray[np.bool_]
    delta: NDArray[np.float32]
    ncc_before: float
    ncc_after: float
    valid_fraction: float
    status: str
    reason: str


def _pair_of_images(reference: ArrayLike, moving: ArrayLike) -> tuple[NDArray, NDArray]:
    ref = np.asarray(reference, dtype=np.float64)
    mov = np.asarray(moving, dtype=np.float64)
    if ref.ndim != 2 or ref.shape != mov.shape:
        raise ValueError(f"reference and moving must be 2-D of one shape, got {ref.shape} and {mov.shape}")
    if min(ref.shape) < 4:
        raise ValueError(f"images of {ref.shape} are too small to register")
    if not (np.all(np.isfinite(ref)) and np.all(np.isfinite(mov))):
        raise ValueError("reference and moving must be finite (no NaN/inf)")
    return ref, mov


def valid_region(shape: tuple[int, int], matrix: ArrayLike) -> NDArray[np.bool_]:
    """Pixels of the reference frame whose source lies inside the moving image.

    pystackreg's own rule, obtained by transforming an all-ones image with the matrix (it
    writes 1 where it samples the frame and 0 elsewhere): the source position, rounded to the
    nearest pixel, must be a pixel of the frame.

    Parameters
    ----------
    shape : (H, W)
    matrix : array_like of shape (3, 3)

    Returns
    -------
    ndarray of shape (H, W), bool
    """
    ones = np.ones(shape, dtype=np.float64)
    return StackReg(StackReg.AFFINE).transform(ones, np.asarray(matrix, dtype=np.float64)) > 0.5


def register_affine(reference: ArrayLike, moving: ArrayLike) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Align ``moving`` to ``reference`` with pystackreg's affine mode.

    Parameters
    ----------
    reference : array_like of shape (H, W)
        The fixed image (x, without COPD).
    moving : array_like of shape (H, W)
        The image to align (x', with COPD).

    Returns
    -------
    aligned : ndarray of shape (H, W), float32
        ``moving`` resampled in the reference frame; NaN where the source falls outside the
        moving image (see ``valid_region``).
    matrix : ndarray of shape (3, 3), float64
        Maps ``(col, row, 1)`` of the reference frame to the source position in ``moving``;
        the identity means no motion.

    Raises
    ------
    ValueError
        If the shapes differ, an image is not 2-D, smaller than 4 x 4, or not finite.
    """
    ref, mov = _pair_of_images(reference, moving)
    reg = StackReg(StackReg.AFFINE)
    matrix = reg.register(ref, mov)
    aligned = reg.transform(mov, matrix)
    aligned[~valid_region(ref.shape, matrix)] = np.nan
    return aligned.astype(np.float32), matrix


def difference_map(reference: ArrayLike, aligned: ArrayLike) -> NDArray[np.float32]:
    """Ground-truth disease effect ``aligned - reference``; 0 where ``aligned`` is NaN.

    Parameters
    ----------
    reference, aligned : array_like of shape (H, W)
        In the model's range; ``aligned`` as returned by ``register_affine``.

    Returns
    -------
    ndarray of shape (H, W), float32, finite
    """
    ref = np.asarray(reference, dtype=np.float64)
    ali = np.asarray(aligned, dtype=np.float64)
    if ref.shape != ali.shape:
        raise ValueError(f"reference and aligned shapes differ: {ref.shape} vs {ali.shape}")
    delta = ali - ref
    delta[np.isnan(ali)] = 0.0
    return delta.astype(np.float32)


def assess_registration(
    ncc_before: float, ncc_after: float, valid_fraction: float, matrix: ArrayLike, thresholds: RegistrationThresholds
) -> tuple[str, str]:
    """Status and reason of one registration.

    ``failed`` (first that applies): a non-finite matrix or NCC; a reflection or a scale
    outside ``[1/max_scale, max_scale]``; a valid fraction below ``min_valid_fraction``; an NCC
    that went down by more than ``min_ncc_gain``. ``barely_improved``: a gain (or loss) smaller
    than ``min_ncc_gain``, e.g. a pair that was already aligned. Otherwise ``ok``.

    Returns
    -------
    status : str
    reason : str
        Empty for ``ok``.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if not np.all(np.isfinite(matrix)):
        return "failed", "non_finite_matrix"
    if not (np.isfinite(ncc_before) and np.isfinite(ncc_after)):
        return "failed", "undefined_ncc (constant image or no valid pixel)"
    linear = matrix[:2, :2]
    singular = np.linalg.svd(linear, compute_uv=False)
    if np.linalg.det(linear) <= 0 or singular.max() > thresholds.max_scale or singular.min() < 1 / thresholds.max_scale:
        return "failed", f"implausible_transform (scales {singular.min():.3f}-{singular.max():.3f})"
    if valid_fraction < thresholds.min_valid_fraction:
        return "failed", f"small_overlap (valid fraction {valid_fraction:.3f} < {thresholds.min_valid_fraction})"
    gain = ncc_after - ncc_before
    if gain <= -thresholds.min_ncc_gain:
        return "failed", f"ncc_decreased ({ncc_before:.4f} -> {ncc_after:.4f})"
    if gain < thresholds.min_ncc_gain:
        return "barely_improved", f"ncc_gain {gain:+.4f}, |gain| < {thresholds.min_ncc_gain}"
    return "ok", ""


def register_pair(
    reference: ArrayLike, moving: ArrayLike, thresholds: RegistrationThresholds = RegistrationThresholds()
) -> PairRegistration:
    """Register one pair, make its ground-truth map and assess it.

    Parameters
    ----------
    reference, moving : array_like of shape (H, W)
        Preprocessed x and x' (model range).
    thresholds : RegistrationThresholds

    Returns
    -------
    PairRegistration
    """
    ref, mov = _pair_of_images(reference, moving)
    aligned, matrix = register_affine(ref, mov)
    valid = ~np.isnan(aligned)
    before = masked_ncc(ref, mov)
    after = masked_ncc(ref, aligned, valid)
    fraction = float(valid.mean())
    status, reason = assess_registration(before, after, fraction, matrix, thresholds)
    return PairRegistration(
        aligned=aligned,
        matrix=matrix,
        valid=valid,
        delta=difference_map(ref, aligned),
        ncc_before=before,
        ncc_after=after,
        valid_fraction=fraction,
        status=status,
        reason=reason,
    )


def _register_pair_job(job: tuple[NDArray, NDArray, RegistrationThresholds]) -> PairRegistration:
    return register_pair(*job)


def register_pairs(
    references: Sequence[ArrayLike],
    movings: Sequence[ArrayLike],
    thresholds: RegistrationThresholds = RegistrationThresholds(),
    threads: int = 1,
) -> list[PairRegistration]:
    """``register_pair`` for many pairs, in ``threads`` worker processes.

    Parameters
    ----------
    references, movings : sequence of array_like of shape (H, W)
        Pair i is ``(references[i], movings[i])``.
    thresholds : RegistrationThresholds
    threads : int
        1 runs in this process; more uses a process pool of that size (pystackreg does not
        release the GIL, so threads would not run in parallel). The result does not depend on it.

    Returns
    -------
    list of PairRegistration, in the order of the pairs
    """
    if len(references) != len(movings):
        raise ValueError(f"{len(references)} references but {len(movings)} moving images")
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    jobs = [(np.asarray(r), np.asarray(m), thresholds) for r, m in zip(references, movings)]
    if threads == 1 or len(jobs) < 2:
        return [_register_pair_job(job) for job in jobs]
    chunk = max(1, len(jobs) // (4 * threads))
    with ProcessPoolExecutor(max_workers=min(threads, len(jobs))) as pool:
        return list(pool.map(_register_pair_job, jobs, chunksize=chunk))
