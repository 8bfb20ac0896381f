"""Severity-independent parts of the synthetic chest phantom, sampled on a patient-frame grid.

Everything COPD does not change -- body outline, mediastinum, heart, spine, ribs, clavicles,
shoulders -- plus the vessel tree (whose contrast severity scales per generation group) and the
emphysema weighting are computed once per subject and view on a square grid covering
[-GRID_EXTENT, GRID_EXTENT]^2 of the patient frame (see :mod:`vrgan.demo.synth.anatomy`); the renderer
(:mod:`vrgan.demo.synth.phantom`) samples them at each pixel's patient coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vrgan.demo.synth.anatomy import Anatomy

__all__ = ["VIEWS", "GRID_EXTENT", "PhantomLayers", "smoothstep", "grid_size_for", "build_layers"]

VIEWS = ("PA", "AP", "LL")
GRID_EXTENT = 1.4  # the static layers cover [-GRID_EXTENT, GRID_EXTENT]^2 of the patient frame

# Attenuation per unit of path (arbitrary units: the thorax is ~0.6, air 0).
MU_SOFT, MU_HEART, MU_MEDIASTINUM = 0.6, 0.12, 0.1
MU_SPINE, MU_RIB, MU_CLAVICLE, MU_HUMERUS, MU_VESSEL = 0.15, 0.1, 0.14, 0.22, 0.1


@dataclass(frozen=True)
class PhantomLayers:
    """Severity-independent parts of one subject's view, sampled on a patient-frame grid.

    Attributes
    ----------
    view : str
        "PA", "AP" or "LL".
    static : ndarray of shape (G, G)
        Attenuation of everything COPD does not change.
    vessels : ndarray of shape (3, G, G)
        Vessel attenuation per generation group (hilar, middle, peripheral).
    emphysema : ndarray of shape (G, G)
        Where lucency concentrates (around 1 inside the lungs).
    lung_room : ndarray of shape (G, G)
        1 where a lung field may be, 0 over the heart and mediastinum.
    """

    view: str
    static: NDArray[np.float64]
    vessels: NDArray[np.float64]
    emphysema: NDArray[np.float64]
    lung_room: NDArray[np.float64]


def smoothstep(edge0: float, edge1: float, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cubic step: exactly 0 at or before ``edge0``, exactly 1 at or after ``edge1``.

    Parameters
    ----------
    edge0, edge1 : float
        Start and end of the transition (``edge1 < edge0`` gives a falling step).
    x : ndarray of any shape

    Returns
    -------
    ndarray of the shape of ``x``, values in [0, 1].
    """
    t = np.array((x - edge0) * (1.0 / (edge1 - edge0)), dtype=np.float64, ndmin=1)
    np.minimum(np.maximum(t, 0.0, out=t), 1.0, out=t)
    t = t * t * (3.0 - 2.0 * t)
    return t.reshape(np.shape(x))


def grid_size_for(rows: int) -> int:
    """Side of the static-layer grid for images of ``rows`` rows (a fixed rule, so truth
    renderings reproduce the export exactly)."""
    return int(min(2048, max(192, round(0.75 * GRID_EXTENT * rows))))


def _band(distance: NDArray[np.float64], half: float) -> NDArray[np.float64]:
    """Profile across a bone of half-thickness ``half``: cortex brighter than marrow."""
    t = np.clip(np.abs(distance) / half, 0.0, 1.0)
    return np.where(t < 1.0, 0.6 + 0.4 * t * t, 0.0) * smoothstep(1.0, 0.8, t)


def _ellipse_chord(rr: NDArray[np.float64], cc: NDArray[np.float64], center, half_axes) -> NDArray[np.float64]:
    q = ((rr - center[0]) / half_axes[0]) ** 2 + ((cc - center[1]) / half_axes[1]) ** 2
    return np.sqrt(np.clip(1.0 - q, 0.0, None))


def _ribs(a: Anatomy, rr: NDArray[np.float64], cc: NDArray[np.float64], spacing: float) -> NDArray[np.float64]:
    """Posterior ribs of both sides, each rendered inside its own band of grid rows."""
    out = np.zeros_like(rr)
    lateral_end = a.body_half_width - 0.05
    half = a.rib_thickness / 2
    col_abs = np.abs(cc[0])
    u = np.clip((col_abs - a.spine_half_width) / (lateral_end - a.spine_half_width), 0.0, 1.0)
    fade = smoothstep(a.spine_half_width, a.spine_half_width + 0.03, col_abs)
    fade = fade * smoothstep(lateral_end, lateral_end - 0.06, col_abs)
    path = -0.06 * u + a.rib_drop * u * u  # row offset from the rib's start, per column
    for k in range(10):
        start = a.first_rib_row + k * a.rib_spacing
        lo = int(max(0, (start - 0.1 + GRID_EXTENT) / spacing))
        hi = int(min(rr.shape[0], (start + a.rib_drop + 0.1 + GRID_EXTENT) / spacing + 2))
        rows = rr[lo:hi, :1]
        out[lo:hi] += _band(rows - (start + path), half) * fade
    return out * MU_RIB


def _frontal_static(a: Anatomy, rr, cc, view: str, spacing: float) -> NDArray[np.float64]:
    ap = view == "AP"
    shoulder = a.shoulder_row
    width = a.neck_half_width + (a.body_half_width - a.neck_half_width) * smoothstep(shoulder - 0.2, shoulder + 0.1, rr)
    body = MU_SOFT * np.sqrt(np.clip(1.0 - (cc / width) ** 2, 0.0, None))
    col_abs = np.abs(cc)
    mediastinum = smoothstep(a.mediastinum_half_width + 0.03, a.mediastinum_half_width - 0.02, col_abs)
    trachea = smoothstep(0.03, 0.015, col_abs) * smoothstep(-1.0, -0.85, rr) * smoothstep(-0.05, -0.15, rr)
    vertebra = 0.8 + 0.2 * np.cos(2 * np.pi * (rr - a.vertebra_phase) / a.vertebra_period)
    spine = smoothstep(a.spine_half_width, a.spine_half_width - 0.015, col_abs) * vertebra
    heart_axes = tuple(h * (1.12 if ap else 1.0) for h in a.heart_half_axes)
    heart = _ellipse_chord(rr, cc, a.heart_center, heart_axes)
    clavicle_row = a.clavicle_row - (0.06 if ap else 0.0)
    length = a.body_half_width - 0.1
    v = np.clip((col_abs - 0.05) / length, 0.0, 1.0)
    clavicle = _band(rr - (clavicle_row - 0.08 * v + 0.03 * np.sin(2 * np.pi * v)), 0.018)
    clavicle = clavicle * smoothstep(0.03, 0.06, col_abs) * smoothstep(length + 0.05, length, col_abs)
    humerus = sum(
        _ellipse_chord(rr, cc, (shoulder + 0.1, s * (a.body_half_width + 0.02)), (0.11, 0.11)) for s in (-1, 1)
    )
    total = body + MU_MEDIASTINUM * mediastinum - 0.06 * trachea + MU_SPINE * spine + MU_HEART * heart
    total = total + MU_CLAVICLE * clavicle + MU_HUMERUS * humerus + _ribs(a, rr, cc, spacing)
    if ap:  # scapulae project over the upper lateral lung fields on AP films
        lateral = smoothstep(a.body_half_width - 0.3, a.body_half_width - 0.2, col_abs)
        lateral = lateral * smoothstep(a.body_half_width, a.body_half_width - 0.05, col_abs)
        total = total + 0.06 * lateral * smoothstep(-0.6, -0.5, rr) * smoothstep(0.1, -0.05, rr)
    return total


def _lateral_heart(a: Anatomy) -> tuple[tuple[float, float], tuple[float, float]]:
    """Centre and half-axes (row, col) of the heart on a lateral view: anterior, low."""
    return (a.heart_center[0] + 0.02, -0.3 * a.chest_half_depth), (
        a.heart_half_axes[0] * 1.05,
        0.45 * a.chest_half_depth,
    )


def _lateral_static(a: Anatomy, rr, cc) -> NDArray[np.float64]:
    depth = a.chest_half_depth
    neck = 0.6 * depth
    half = neck + (depth - neck) * smoothstep(a.shoulder_row - 0.2, a.shoulder_row + 0.1, rr)
    body = MU_SOFT * np.sqrt(np.clip(1.0 - (cc / half) ** 2, 0.0, None))
    spine_col = 0.55 * depth
    vertebra = 0.75 + 0.25 * np.cos(2 * np.pi * (rr - a.vertebra_phase) / a.vertebra_period)
    spine = smoothstep(0.09, 0.07, np.abs(cc - spine_col)) * vertebra
    sternum = _band(cc + 0.85 * depth, 0.025) * smoothstep(-0.65, -0.55, rr) * smoothstep(0.2, 0.1, rr)
    heart = _ellipse_chord(rr, cc, *_lateral_heart(a))
    arms = smoothstep(a.shoulder_row + 0.25, a.shoulder_row, rr) * smoothstep(depth, depth - 0.1, np.abs(cc))
    return body + MU_SPINE * spine + MU_CLAVICLE * sternum + MU_HEART * heart + 0.1 * arms


def _vessel_layers(a: Anatomy, axis: NDArray[np.float64], spacing: float) -> NDArray[np.float64]:
    """Gaussian tubes along each vessel segment, summed per generation group."""
    n = axis.size
    layers = np.zeros((3, n, n))
    for r0, c0, r1, c1, radius, generation in a.vessels:
        group = 0 if generation <= 1 else (1 if generation <= 3 else 2)
        sigma = max(radius, 0.6 * spacing)
        reach = 3 * sigma
        i0, i1 = np.searchsorted(axis, [min(r0, r1) - reach, max(r0, r1) + reach])
        j0, j1 = np.searchsorted(axis, [min(c0, c1) - reach, max(c0, c1) + reach])
        if i1 <= i0 or j1 <= j0:
            continue
        pr, pc = axis[i0:i1, None], axis[None, j0:j1]
        dr, dc = r1 - r0, c1 - c0
        t = np.clip(((pr - r0) * dr + (pc - c0) * dc) / (dr * dr + dc * dc), 0.0, 1.0)
        d2 = (pr - r0 - t * dr) ** 2 + (pc - c0 - t * dc) ** 2
        layers[group, i0:i1, j0:j1] += MU_VESSEL * (radius / 0.011) * np.exp(-d2 / (2 * sigma * sigma))
    return layers


def build_layers(anatomy: Anatomy, view: str, grid_size: int) -> PhantomLayers:
    """Sample the severity-independent parts of one view on a patient-frame grid.

    Parameters
    ----------
    anatomy : Anatomy
    view : {"PA", "AP", "LL"}
    grid_size : int
        Grid side G (use :func:`grid_size_for`); the grid spans [-1.4, 1.4] in both axes.

    Returns
    -------
    PhantomLayers

    Raises
    ------
    ValueError
        If ``view`` is unknown.
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
    axis = np.linspace(-GRID_EXTENT, GRID_EXTENT, grid_size)
    spacing = float(axis[1] - axis[0])
    rr, cc = np.meshgrid(axis, axis, indexing="ij")
    if view == "LL":
        static = _lateral_static(anatomy, rr, cc)
        vessels = np.zeros((3, grid_size, grid_size))
        center, axes = _lateral_heart(anatomy)
        heart = smoothstep(0.0, 0.15, _ellipse_chord(rr, cc, center, axes) ** 2)
        room = 1.0 - 0.7 * heart  # the heart hides the lungs only partly on a lateral
        emphysema = 0.8 + 0.6 * smoothstep(0.0, -0.6, cc) * smoothstep(0.2, -0.3, rr)
    else:
        static = _frontal_static(anatomy, rr, cc, view, spacing)
        vessels = _vessel_layers(anatomy, axis, spacing)
        heart_axes = tuple(h * (1.12 if view == "AP" else 1.0) for h in anatomy.heart_half_axes)
        heart = smoothstep(0.0, 0.15, _ellipse_chord(rr, cc, anatomy.heart_center, heart_axes) ** 2)
        room = (1.0 - heart) * smoothstep(
            anatomy.mediastinum_half_width, anatomy.mediastinum_half_width + 0.04, np.abs(cc)
        )
        emphysema = 0.7 + 0.6 * smoothstep(0.4, -0.5, rr)
        for row, col, width, weight in anatomy.emphysema_blobs:
            emphysema = emphysema + weight * np.exp(-((rr - row) ** 2 + (cc - col) ** 2) / (2 * width * width))
    return PhantomLayers(view=view, static=static, vessels=vessels, emphysema=emphysema, lung_room=room)
