"""Rendering of the synthetic chest phantom at a given disease severity, pose and exposure.

The attenuation ``A`` (dense = high) of a view is

    A = static + sum over lung fields of [ mask * vessels(severity)
                                           - MU_AIR * air * (1 + LUCENCY_GAIN * severity * emphysema) ]

where ``static``, ``vessels`` and ``emphysema`` come from :func:`vrgan.demo.synth.layers.build_layers`
and ``mask`` / ``air`` (:func:`lung_fields`) are the lung field and its air path length. Severity in
[0, 1] lowers the costophrenic angles by ``DIAPHRAGM_DROP``, flattens the domes by
``DOME_FLATTENING``, adds lucency and removes vessel contrast (``VESSEL_PRUNING`` per generation
group, peripheral first). Every severity-dependent term carries a factor ``mask`` (or ``air``) that
is exactly zero outside the lung field, so two renderings of one pose at two severities are
bit-identical outside the union of both lung fields: the true disease effect is exactly zero
there. The presentation value of a For-Presentation image (log domain, dense = bright) is
``offset + gain * A``, nominally in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vrgan.demo.synth.anatomy import Anatomy
from vrgan.demo.synth.layers import GRID_EXTENT, PhantomLayers, smoothstep

__all__ = [
    "DIAPHRAGM_DROP",
    "DOME_FLATTENING",
    "LUCENCY_GAIN",
    "VESSEL_PRUNING",
    "Pose",
    "Exposure",
    "LungField",
    "lung_field_geometry",
    "diaphragm_at",
    "patient_coordinates",
    "lung_fields",
    "attenuation",
    "render_presentation",
    "add_noise",
]

DIAPHRAGM_DROP = 0.12  # costophrenic angles move down by this much at severity 1
DOME_FLATTENING = 0.65  # the domes lose this fraction of their height at severity 1
LUCENCY_GAIN = 0.3  # lung air attenuation grows by this fraction (times the emphysema weight)
VESSEL_PRUNING = (0.15, 0.55, 0.9)  # vessel contrast lost at severity 1: hilar, middle, peripheral
MU_AIR = 0.35  # attenuation removed per unit of air path through a lung
APEX_ROUNDING = 0.7  # rows over which a lung apex widens to its full width
LUNG_EDGE, DIAPHRAGM_EDGE = 0.05, 0.025  # widths of the lung field's soft edges


@dataclass(frozen=True)
class Pose:
    """Patient placement: ``image = scale * R(rotation) @ patient + shift`` (patient units).

    Attributes
    ----------
    rotation_deg : float
        In-plane rotation in degrees.
    scale : float
        Magnification.
    shift_row, shift_col : float
        Translation of the patient in the image, patient units (1 = half the image height).
    """

    rotation_deg: float = 0.0
    scale: float = 1.0
    shift_row: float = 0.0
    shift_col: float = 0.0


@dataclass(frozen=True)
class Exposure:
    """Grey-level response: ``presentation = offset + gain * attenuation`` (+ noise).

    Attributes
    ----------
    gain, offset : float
        Linear map from attenuation to the presentation value (nominally in [0, 1]).
    noise_sigma : float
        Noise standard deviation at presentation value 0.5 (denser = noisier: fewer photons).
    """

    gain: float = 0.8
    offset: float = 0.07
    noise_sigma: float = 0.0


@dataclass(frozen=True)
class LungField:
    """Geometry of one lung field of one view at severity 0 (patient units).

    ``tilt`` is how much lower the lateral (frontal view) or posterior (lateral view)
    costophrenic angle lies than the field's centre line; the apex lies ``apex_col`` away from
    ``center_col`` (medially on frontal views) and the field widens to ``half_width`` over
    ``APEX_ROUNDING`` rows below it.
    """

    center_col: float
    half_width: float
    apex_row: float
    diaphragm_row: float
    dome_height: float
    tilt: float
    apex_col: float


def lung_field_geometry(anatomy: Anatomy, view: str) -> tuple[LungField, ...]:
    """Lung fields of a view: two on frontal views (image-left first), one on a lateral.

    Parameters
    ----------
    anatomy : Anatomy
    view : {"PA", "AP", "LL"}

    Returns
    -------
    tuple of LungField
    """
    a = anatomy
    if view == "LL":
        anterior, posterior = -0.8 * a.chest_half_depth, 0.45 * a.chest_half_depth
        return (
            LungField(
                center_col=(anterior + posterior) / 2,
                half_width=(posterior - anterior) / 2,
                apex_row=float(np.mean(a.lung_apex_row)),
                diaphragm_row=float(np.mean(a.diaphragm_row)) + 0.02,
                dome_height=0.9 * float(np.mean(a.dome_height)),
                tilt=0.05,
                apex_col=0.0,
            ),
        )
    return tuple(
        LungField(
            center_col=a.lung_center_col[k],
            half_width=a.lung_half_width[k],
            apex_row=a.lung_apex_row[k] - (0.03 if view == "AP" else 0.0),
            diaphragm_row=a.diaphragm_row[k],
            dome_height=a.dome_height[k],
            tilt=0.0,
            apex_col=-0.5 * a.lung_half_width[k] * np.sign(a.lung_center_col[k]),
        )
        for k in range(2)
    )


def diaphragm_at(field: LungField, severity: float) -> tuple[float, float]:
    """Costophrenic-angle row and dome height of a lung field at a severity.

    Parameters
    ----------
    field : LungField
    severity : float
        In [0, 1].

    Returns
    -------
    (angle_row, dome_height) : tuple of float
        The dome's top is at ``angle_row - dome_height``: both lower (larger row) with severity.
    """
    return (
        field.diaphragm_row + DIAPHRAGM_DROP * severity,
        field.dome_height * (1.0 - DOME_FLATTENING * severity),
    )


def patient_coordinates(shape: tuple[int, int], pose: Pose) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Patient-frame (row, col) of every pixel centre of an image.

    Parameters
    ----------
    shape : (H, W)
        Image shape; one patient unit is H / 2 pixels at scale 1, the image centre is the origin.
    pose : Pose

    Returns
    -------
    rows, cols : ndarray of shape (H, W)
    """
    height, width = shape
    half = height / 2.0
    y = (np.arange(height) + 0.5 - height / 2.0)[:, None] / half - pose.shift_row
    x = (np.arange(width) + 0.5 - width / 2.0)[None, :] / half - pose.shift_col
    theta = np.deg2rad(pose.rotation_deg)
    cos, sin = np.cos(theta), np.sin(theta)
    rows = (cos * y + sin * x) / pose.scale
    cols = (-sin * y + cos * x) / pose.scale
    return rows, cols


def lung_fields(
    fields: tuple[LungField, ...], severity: float, rows: NDArray[np.float64], cols: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lung-field mask and air path length at a severity.

    Parameters
    ----------
    fields : tuple of LungField
    severity : float
        In [0, 1].
    rows, cols : ndarray of shape (H, W)
        Patient coordinates (:func:`patient_coordinates`).

    Returns
    -------
    mask : ndarray of shape (H, W)
        In [0, 1]; exactly 0 outside every lung field.
    air : ndarray of shape (H, W)
        Air path length through the lungs, ``mask`` times a chord profile.
    """
    mask = np.zeros(rows.shape)
    air = np.zeros(rows.shape)
    for f in fields:
        angle_row, dome = diaphragm_at(f, severity)
        opening = np.sqrt(np.clip((rows - f.apex_row) / APEX_ROUNDING, 0.0, 1.0))
        center_row = f.center_col + f.apex_col * (1.0 - opening)
        lateral = smoothstep(0.0, LUNG_EDGE, f.half_width * opening - np.abs(cols - center_row))
        across = np.clip((cols - f.center_col) / f.half_width, -1.0, 1.0)
        tilt = f.tilt * across if f.tilt else 0.0
        diaphragm = angle_row + tilt - dome * (1.0 - across * across)
        m = lateral * smoothstep(0.0, DIAPHRAGM_EDGE, diaphragm - rows)
        mask += m
        air += m * np.sqrt(1.0 - across * across)
    return mask, air


def _bilinear(rows: NDArray[np.float64], cols: NDArray[np.float64], n: int):
    """Flat corner indices and weights to sample an (n, n) static-layer grid bilinearly at
    patient coordinates (coordinates outside the grid take the nearest edge value)."""
    scale = (n - 1) / (2 * GRID_EXTENT)
    fr = np.clip((rows + GRID_EXTENT) * scale, 0.0, n - 1.0)
    fc = np.clip((cols + GRID_EXTENT) * scale, 0.0, n - 1.0)
    i0 = np.minimum(fr.astype(np.intp), n - 2)
    j0 = np.minimum(fc.astype(np.intp), n - 2)
    t, u = fr - i0, fc - j0
    index = i0 * n + j0
    corners = (index, index + 1, index + n, index + n + 1)
    weights = ((1 - t) * (1 - u), (1 - t) * u, t * (1 - u), t * u)
    return corners, weights


def _sample(grid: NDArray[np.float64], corners, weights) -> NDArray[np.float64]:
    flat = grid.ravel()
    return sum(flat[c] * w for c, w in zip(corners, weights))


def attenuation(
    anatomy: Anatomy, layers: PhantomLayers, severity: float, pose: Pose, shape: tuple[int, int]
) -> NDArray[np.float64]:
    """Noise-free attenuation image of one view of a subject.

    Parameters
    ----------
    anatomy : Anatomy
    layers : PhantomLayers
        ``build_layers(anatomy, view, grid_size_for(shape[0]))``.
    severity : float
        Disease severity in [0, 1].
    pose : Pose
    shape : (H, W)

    Returns
    -------
    ndarray of shape (H, W), float64
        Dense = high.

    Raises
    ------
    ValueError
        If severity is outside [0, 1].
    """
    if not 0.0 <= severity <= 1.0:
        raise ValueError(f"severity must be in [0, 1], got {severity}")
    rows, cols = patient_coordinates(shape, pose)
    mask, air = lung_fields(lung_field_geometry(anatomy, layers.view), severity, rows, cols)
    corners, weights = _bilinear(rows, cols, layers.static.shape[0])
    room = _sample(layers.lung_room, corners, weights)
    pruning = [1.0 - severity * p for p in VESSEL_PRUNING]
    vessels = _sample(np.tensordot(pruning, layers.vessels, axes=1), corners, weights)
    emphysema = _sample(layers.emphysema, corners, weights)
    lungs = room * (mask * vessels - MU_AIR * air * (1.0 + LUCENCY_GAIN * severity * emphysema))
    return _sample(layers.static, corners, weights) + lungs


def render_presentation(
    anatomy: Anatomy, layers: PhantomLayers, severity: float, pose: Pose, exposure: Exposure, shape: tuple[int, int]
) -> NDArray[np.float64]:
    """Noise-free presentation value (For-Presentation grey level, dense = bright).

    Parameters
    ----------
    anatomy, layers, severity, pose, shape
        As for :func:`attenuation`.
    exposure : Exposure
        Only ``gain`` and ``offset`` are used here.

    Returns
    -------
    ndarray of shape (H, W), float64
        ``offset + gain * attenuation``, nominally in [0, 1] (not clipped).
    """
    return exposure.offset + exposure.gain * attenuation(anatomy, layers, severity, pose, shape)


def add_noise(presentation: NDArray[np.float64], noise_sigma: float, rng: np.random.Generator) -> NDArray[np.float64]:
    """Presentation value plus signal-dependent Gaussian noise (denser = fewer photons = noisier).

    Parameters
    ----------
    presentation : ndarray of shape (H, W)
    noise_sigma : float
        Standard deviation at presentation value 0.5.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (H, W), a new array.
    """
    sigma = noise_sigma * (0.6 + 0.8 * np.clip(presentation, 0.0, 1.0))
    return presentation + sigma * rng.standard_normal(presentation.shape)
