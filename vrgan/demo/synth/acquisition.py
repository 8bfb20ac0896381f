"""One image's acquisition: view, size, patient pose, exposure and pixel encoding.

:func:`noise_free_levels` is the single rendering path shared by the export (which then adds
noise) and by the truth renderer (:func:`vrgan.demo.synth.truth.render_pair_truth`), so the truth
reproduces the export exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from numpy.typing import NDArray

from vrgan.demo.synth.anatomy import Anatomy
from vrgan.demo.synth.layers import PhantomLayers
from vrgan.demo.synth.phantom import Exposure, Pose, add_noise, render_presentation
from vrgan.demo.synth.pixel_encoding import PixelEncoding, levels_from_presentation

__all__ = [
    "Acquisition",
    "draw_pose_exposure",
    "noise_free_levels",
    "noisy_levels",
    "acquisition_record",
    "acquisition_from_record",
]


@dataclass(frozen=True)
class Acquisition:
    """How one image was taken and stored.

    Attributes
    ----------
    view : {"PA", "AP", "LL"}
    shape : (rows, cols)
    pose : Pose
    exposure : Exposure
    encoding : PixelEncoding
    """

    view: str
    shape: tuple[int, int]
    pose: Pose
    exposure: Exposure
    encoding: PixelEncoding


def draw_pose_exposure(rng: np.random.Generator) -> tuple[Pose, Exposure]:
    """Per-image nuisance: small rotation/scale/shift, exposure and noise (6 decimals, so the
    values survive a CSV round trip exactly).

    Parameters
    ----------
    rng : numpy.random.Generator

    Returns
    -------
    (Pose, Exposure)
    """
    r = lambda lo, hi: round(float(rng.uniform(lo, hi)), 6)  # noqa: E731
    pose = Pose(rotation_deg=r(-4.0, 4.0), scale=r(0.93, 1.07), shift_row=r(-0.06, 0.06), shift_col=r(-0.06, 0.06))
    exposure = Exposure(gain=r(0.7, 0.85), offset=r(0.04, 0.1), noise_sigma=r(0.004, 0.012))
    return pose, exposure


def noise_free_levels(
    anatomy: Anatomy, layers: PhantomLayers, severity: float, acquisition: Acquisition
) -> NDArray[np.uint16]:
    """Quantised noise-free presentation levels (dense = high) of one image.

    Parameters
    ----------
    anatomy : Anatomy
    layers : PhantomLayers
        Built for ``acquisition.view`` with ``grid_size_for(acquisition.shape[0])``.
    severity : float
    acquisition : Acquisition

    Returns
    -------
    ndarray of shape (rows, cols), uint16
    """
    p = render_presentation(anatomy, layers, severity, acquisition.pose, acquisition.exposure, acquisition.shape)
    return levels_from_presentation(p, acquisition.encoding)


def noisy_levels(
    anatomy: Anatomy, layers: PhantomLayers, severity: float, acquisition: Acquisition, rng: np.random.Generator
) -> NDArray[np.uint16]:
    """Like :func:`noise_free_levels`, with the exposure's noise added before quantisation."""
    p = render_presentation(anatomy, layers, severity, acquisition.pose, acquisition.exposure, acquisition.shape)
    return levels_from_presentation(add_noise(p, acquisition.exposure.noise_sigma, rng), acquisition.encoding)


def acquisition_record(acquisition: Acquisition) -> dict[str, Any]:
    """Flat truth-table columns of an acquisition."""
    a = acquisition
    return {
        "view": a.view,
        "rows": a.shape[0],
        "cols": a.shape[1],
        "rotation_deg": a.pose.rotation_deg,
        "scale": a.pose.scale,
        "shift_row": a.pose.shift_row,
        "shift_col": a.pose.shift_col,
        "gain": a.exposure.gain,
        "offset": a.exposure.offset,
        "noise_sigma": a.exposure.noise_sigma,
        "photometric": a.encoding.photometric,
        "bits_stored": a.encoding.bits_stored,
        "rescale_slope": a.encoding.rescale_slope,
        "rescale_intercept": a.encoding.rescale_intercept,
        "has_rescale": a.encoding.has_rescale,
    }


def acquisition_from_record(record: Mapping[str, Any]) -> Acquisition:
    """Inverse of :func:`acquisition_record` (extra keys are ignored)."""
    return Acquisition(
        view=str(record["view"]),
        shape=(int(record["rows"]), int(record["cols"])),
        pose=Pose(
            float(record["rotation_deg"]),
            float(record["scale"]),
            float(record["shift_row"]),
            float(record["shift_col"]),
        ),
        exposure=Exposure(float(record["gain"]), float(record["offset"]), float(record["noise_sigma"])),
        encoding=PixelEncoding(
            bits_stored=int(record["bits_stored"]),
            photometric=str(record["photometric"]),
            rescale_slope=int(record["rescale_slope"]),
            rescale_intercept=int(record["rescale_intercept"]),
            has_rescale=str(record["has_rescale"]).lower() == "true",
        ),
    )
