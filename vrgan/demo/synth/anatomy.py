"""Per-subject anatomy of the synthetic chest phantom: parameters and how they are drawn.

All lengths are in *patient units*: the patient frame has its origin at the centre of a
nominally posed image, ``row`` grows towards the feet and ``col`` towards the image right
(the patient's left on a frontal view, posterior on a left-lateral view); one unit is half the
image height. The anatomy never changes between exams of one subject; what changes is the
disease severity (see :mod:`vrgan.demo.synth.phantom`) and the acquisition (pose, exposure).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Anatomy", "draw_anatomy", "anatomy_from_dict", "anatomy_to_dict"]

VESSEL_COLUMNS = ("row0", "col0", "row1", "col1", "radius", "generation")
BLOB_COLUMNS = ("row", "col", "width", "weight")


@dataclass(frozen=True)
class Anatomy:
    """Fixed anatomy of one subject (patient units, see module docstring).

    Attributes
    ----------
    body_half_width : float
        Half-width of the thorax.
    neck_half_width : float
        Half-width of the neck.
    shoulder_row : float
        Row of the shoulders (where the neck widens into the thorax).
    chest_half_depth : float
        Antero-posterior half-depth of the thorax (lateral views).
    lung_center_col : tuple of float, length 2
        Column of the axis of the right (image-left) and left lung.
    lung_half_width : tuple of float, length 2
        Half-width of each lung field.
    lung_apex_row : tuple of float, length 2
        Row of each lung apex.
    diaphragm_row : tuple of float, length 2
        Row of each costophrenic angle at severity 0 (healthy).
    dome_height : tuple of float, length 2
        Height of each hemidiaphragm dome above its costophrenic angle at severity 0.
    heart_center : tuple of float, length 2
        (row, col) of the cardiac silhouette's centre.
    heart_half_axes : tuple of float, length 2
        (row, col) half-axes of the cardiac silhouette.
    mediastinum_half_width : float
        Half-width of the mediastinum above the heart.
    spine_half_width : float
        Half-width of the vertebral column.
    vertebra_period : float
        Height of one vertebra plus disc.
    vertebra_phase : float
        Row offset of the vertebral pattern.
    first_rib_row : float
        Row where the first posterior rib leaves the spine.
    rib_spacing : float
        Row distance between successive posterior ribs at the spine.
    rib_drop : float
        How far a rib descends from spine to its lateral end.
    rib_thickness : float
        Thickness of a posterior rib.
    clavicle_row : float
        Row of the medial end of the clavicles.
    vessels : ndarray of shape (n_segments, 6)
        Pulmonary vessel tree, one segment per row: ``row0, col0, row1, col1, radius,
        generation`` (generation 0 at the hilum).
    emphysema_blobs : ndarray of shape (n_blobs, 4)
        Where emphysema concentrates: ``row, col, width, weight`` of Gaussian blobs that
        modulate how much lucency severity adds.
    """

    body_half_width: float
    neck_half_width: float
    shoulder_row: float
    chest_half_depth: float
    lung_center_col: tuple[float, float]
    lung_half_width: tuple[float, float]
    lung_apex_row: tuple[float, float]
    diaphragm_row: tuple[float, float]
    dome_height: tuple[float, float]
    heart_center: tuple[float, float]
    heart_half_axes: tuple[float, float]
    mediastinum_half_width: float
    spine_half_width: float
    vertebra_period: float
    vertebra_phase: float
    first_rib_row: float
    rib_spacing: float
    rib_drop: float
    rib_thickness: float
    clavicle_row: float
    vessels: NDArray[np.float64]
    emphysema_blobs: NDArray[np.float64]


def _vessel_tree(
    rng: np.random.Generator, hilum: tuple[float, float], side: int, lung_half_width: float
) -> list[tuple[float, ...]]:
    """Segments of one lung's vessel tree: three lobar trunks, each split binarily 4 times."""
    segments: list[tuple[float, ...]] = []
    # Trunk directions (degrees from +row, i.e. feet, turning laterally): upper, middle, lower.
    for trunk_angle in (140.0, 80.0, 30.0):
        stack = [(hilum, np.deg2rad(trunk_angle + rng.uniform(-8, 8)), 0.15 * lung_half_width / 0.27, 0.011, 0)]
        while stack:
            (r0, c0), angle, length, radius, generation = stack.pop()
            r1 = r0 + length * np.cos(angle)
            c1 = c0 + side * length * np.sin(angle)
            segments.append((r0, c0, r1, c1, radius, float(generation)))
            if generation < 4:
                for turn in (-1.0, 1.0):
                    child = angle + turn * np.deg2rad(rng.uniform(18, 32)) + np.deg2rad(rng.normal(0, 5))
                    stack.append(((r1, c1), child, length * rng.uniform(0.68, 0.8), radius * 0.72, generation + 1))
    return segments


def draw_anatomy(rng: np.random.Generator) -> Anatomy:
    """Draw one subject's anatomy.

    Parameters
    ----------
    rng : numpy.random.Generator
        The subject's own random stream (the caller derives it from the export seed).

    Returns
    -------
    Anatomy
    """
    u = rng.uniform
    body = u(0.74, 0.82)
    lung_hw = u(0.25, 0.29)
    lung_center = u(0.39, 0.43)
    dia_left = u(0.40, 0.48)
    right_higher = u(0.02, 0.05)
    dome = u(0.10, 0.14)
    hw = (lung_hw * u(0.97, 1.03), lung_hw * u(0.97, 1.03))
    vessels: list[tuple[float, ...]] = []
    for k, side in enumerate((-1, 1)):
        hilum = (u(-0.10, -0.02), side * u(0.16, 0.19))
        vessels += _vessel_tree(rng, hilum, side, hw[k])
    n_blobs = int(rng.integers(2, 5))
    blobs = np.column_stack(
        [
            u(-0.5, 0.1, n_blobs),
            rng.choice([-1.0, 1.0], n_blobs) * u(0.3, 0.55, n_blobs),
            u(0.08, 0.16, n_blobs),
            u(0.3, 0.8, n_blobs),
        ]
    )
    return Anatomy(
        body_half_width=body,
        neck_half_width=u(0.20, 0.26),
        shoulder_row=u(-0.78, -0.70),
        chest_half_depth=u(0.40, 0.48),
        lung_center_col=(-lung_center * u(0.98, 1.02), lung_center * u(0.98, 1.02)),
        lung_half_width=hw,
        lung_apex_row=(u(-0.72, -0.64), u(-0.72, -0.64)),
        diaphragm_row=(dia_left - right_higher, dia_left),
        dome_height=(dome * u(0.95, 1.1), dome * u(0.9, 1.05)),
        heart_center=(u(0.24, 0.30), u(0.08, 0.12)),
        heart_half_axes=(u(0.20, 0.24), u(0.26, 0.31)),
        mediastinum_half_width=u(0.11, 0.13),
        spine_half_width=u(0.05, 0.065),
        vertebra_period=u(0.085, 0.1),
        vertebra_phase=u(0.0, 0.1),
        first_rib_row=u(-0.72, -0.66),
        rib_spacing=u(0.09, 0.105),
        rib_drop=u(0.30, 0.40),
        rib_thickness=u(0.028, 0.036),
        clavicle_row=u(-0.66, -0.58),
        vessels=np.asarray(vessels, dtype=np.float64),
        emphysema_blobs=blobs,
    )


def anatomy_to_dict(anatomy: Anatomy) -> dict[str, Any]:
    """JSON-ready dict of an anatomy (arrays become nested lists; floats round-trip exactly)."""
    out = asdict(anatomy)
    out["vessels"] = anatomy.vessels.tolist()
    out["emphysema_blobs"] = anatomy.emphysema_blobs.tolist()
    out["vessel_columns"] = list(VESSEL_COLUMNS)
    out["emphysema_blob_columns"] = list(BLOB_COLUMNS)
    return out


def anatomy_from_dict(data: dict[str, Any]) -> Anatomy:
    """Inverse of :func:`anatomy_to_dict`.

    Raises
    ------
    ValueError
        If a field is missing.
    """
    names = [f.name for f in fields(Anatomy)]
    missing = [n for n in names if n not in data]
    if missing:
        raise ValueError(f"anatomy record lacks fields {missing}")
    values: dict[str, Any] = {}
    for name in names:
        value = data[name]
        if name in ("vessels", "emphysema_blobs"):
            width = len(VESSEL_COLUMNS) if name == "vessels" else len(BLOB_COLUMNS)
            values[name] = np.asarray(value, dtype=np.float64).reshape(-1, width)
        elif isinstance(value, (list, tuple)):
            values[name] = tuple(float(v) for v in value)
        else:
            values[name] = float(value)
    return Anatomy(**values)
