"""Reading a synthetic export's truth and rendering the true disease effect between two exams.

The x-ray stage validates generated disease-effect maps against

    delta_true = pre(b) - pre(a),   (a, b) = render_pair_truth(truth, exam_a, exam_b)

where ``pre`` is the stage's own preprocessing (crop, resize, equalisation) applied identically
to both images. Both images show exam a's subject with exam a's pose, exposure, size and pixel
encoding, noise-free; only the disease severity differs (exam a's vs exam b's). So, unlike the
difference of two registered real exams, ``b - a`` contains nothing but the disease effect: it is
exactly zero outside the lung fields of both severities (body outline, spine, mediastinum,
heart, shoulders, abdomen below the lower diaphragm), and inside them shows the lower, flatter
diaphragm, the added lucency and the pruned vessels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from vrgan.demo.synth.acquisition import Acquisition, acquisition_from_record
from vrgan.demo.synth.anatomy import Anatomy, anatomy_from_dict
from vrgan.demo.synth.layers import build_layers, grid_size_for
from vrgan.demo.synth.phantom import render_presentation
from vrgan.demo.synth.pixel_encoding import decoded_from_levels, levels_from_presentation

__all__ = ["SynthTruth", "load_truth", "render_exam_truth", "render_pair_truth"]

_ID_COLUMNS = {
    c: str
    for c in (
        "patient_id",
        "exam_id",
        "study_uid",
        "series_uid",
        "sop_instance_uid",
        "reference_sop_instance_uid",
        "accession_number",
        "nearest_exam_id",
        "path",
    )
}


@dataclass(frozen=True)
class SynthTruth:
    """The truth of one export, loaded once (see :mod:`vrgan.demo.synth.truth_tables` for columns).

    Attributes
    ----------
    root : Path
        The ``truth/`` directory.
    files, exams, subjects, pft_rows : pandas.DataFrame
        ``truth/*.csv``; ``exams`` is indexed by ``exam_id``.
    anatomies : dict of str to Anatomy
        Per patient id, from ``truth/anatomy.jsonl``.
    summary : dict
        ``truth/summary.json``.
    """

    root: Path
    files: pd.DataFrame
    exams: pd.DataFrame
    subjects: pd.DataFrame
    pft_rows: pd.DataFrame
    anatomies: dict[str, Anatomy]
    summary: dict[str, Any]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=_ID_COLUMNS, keep_default_na=False, na_values=[""])


def load_truth(truth_dir: str | Path) -> SynthTruth:
    """Load ``OUT/truth`` (or ``OUT``, whose ``truth/`` is then used).

    Raises
    ------
    FileNotFoundError
        If the directory holds no ``summary.json``.
    """
    root = Path(truth_dir)
    if not (root / "summary.json").exists() and (root / "truth" / "summary.json").exists():
        root = root / "truth"
    if not (root / "summary.json").exists():
        raise FileNotFoundError(f"{root} is not the truth/ directory of a synthetic export (no summary.json)")
    anatomies = {}
    with open(root / "anatomy.jsonl") as handle:
        for line in handle:
            item = json.loads(line)
            anatomies[item["patient_id"]] = anatomy_from_dict(item["anatomy"])
    return SynthTruth(
        root=root,
        files=_read(root / "files.csv"),
        exams=_read(root / "exams.csv").set_index("exam_id", drop=False),
        subjects=_read(root / "subjects.csv"),
        pft_rows=_read(root / "pft_rows.csv"),
        anatomies=anatomies,
        summary=json.loads((root / "summary.json").read_text()),
    )


def _acquisition(truth: SynthTruth, exam_id: str, image: str | None) -> Acquisition:
    if exam_id not in truth.exams.index:
        raise KeyError(f"unknown exam_id {exam_id!r}")
    if image is None:
        record = truth.exams.loc[exam_id]
        if pd.isna(record["reference_sop_instance_uid"]):
            raise ValueError(f"exam {exam_id} has no ok PA image; pass image=<SOPInstanceUID> of one of its images")
        return acquisition_from_record(record)
    rows = truth.files[(truth.files.sop_instance_uid == image) & (truth.files.exam_id == exam_id)]
    rows = rows[rows.rows.notna()]
    if rows.empty:
        raise KeyError(f"exam {exam_id} has no rendered image with SOPInstanceUID {image}")
    return acquisition_from_record(rows.iloc[0])


def _decoded(anatomy: Anatomy, layers, severity: float, acq: Acquisition, quantize: bool) -> NDArray:
    p = render_presentation(anatomy, layers, severity, acq.pose, acq.exposure, acq.shape)
    if quantize:
        return decoded_from_levels(levels_from_presentation(p, acq.encoding), acq.encoding)
    levels = np.clip(p, 0.0, 1.0) * acq.encoding.max_level
    if acq.encoding.photometric == "MONOCHROME1":
        return levels
    return acq.encoding.rescale_slope * levels + acq.encoding.rescale_intercept


def render_exam_truth(
    truth: SynthTruth | str | Path,
    exam: str,
    severity: float | None = None,
    *,
    image: str | None = None,
    quantize: bool = True,
) -> NDArray:
    """Noise-free rendering of one image of an exam, optionally at another severity.

    Parameters
    ----------
    truth : SynthTruth or path
        A loaded truth, or ``OUT`` / ``OUT/truth``.
    exam : str
        ``exam_id``.
    severity : float, optional
        Disease severity in [0, 1]; default the exam's own.
    image : str, optional
        SOPInstanceUID of the image whose view, size, pose, exposure and encoding are used;
        default the exam's reference PA image (``reference_sop_instance_uid`` in exams.csv).
    quantize : bool, default True
        True: int64 values exactly as an ingest decodes the (noise-free) file -- modality LUT
        applied, MONOCHROME1 inverted, dense = high. False: the same space before rounding
        (float64).

    Returns
    -------
    ndarray of shape (rows, cols)
    """
    t = truth if isinstance(truth, SynthTruth) else load_truth(truth)
    acq = _acquisition(t, exam, image)
    patient = t.exams.loc[exam, "patient_id"]
    anatomy = t.anatomies[patient]
    layers = build_layers(anatomy, acq.view, grid_size_for(acq.shape[0]))
    s = float(t.exams.loc[exam, "severity"]) if severity is None else severity
    return _decoded(anatomy, layers, s, acq, quantize)


def render_pair_truth(
    truth: SynthTruth | str | Path, exam_a: str, exam_b: str, *, image_a: str | None = None, quantize: bool = True
) -> tuple[NDArray, NDArray]:
    """Exam a rendered noise-free at its own severity and at exam b's severity.

    Parameters
    ----------
    truth : SynthTruth or path
        A loaded truth (:func:`load_truth`, faster for many pairs), or ``OUT`` / ``OUT/truth``.
    exam_a, exam_b : str
        ``exam_id`` of two exams of the same subject (order matters: a gives the acquisition).
    image_a : str, optional
        SOPInstanceUID of the image of exam a to reproduce (e.g. the PA image the cohort stage
        picked when a study has two); default exam a's reference PA image.
    quantize : bool, default True
        See :func:`render_exam_truth`.

    Returns
    -------
    img_a, img_b : ndarray of shape (rows, cols)
        int64 (float64 if not ``quantize``), in the value space an ingest decodes from exam a's
        file (after the modality LUT, MONOCHROME1 inverted: dense = high). ``img_b - img_a`` is
        the true disease effect of going from severity a to severity b; it is exactly 0 outside
        both severities' lung fields.

    Raises
    ------
    KeyError
        If an exam or image is unknown.
    ValueError
        If the exams belong to different subjects, or exam a has no ok PA and no image is given.
    """
    t = truth if isinstance(truth, SynthTruth) else load_truth(truth)
    for exam in (exam_a, exam_b):
        if exam not in t.exams.index:
            raise KeyError(f"unknown exam_id {exam!r}")
    patient_a, patient_b = t.exams.loc[exam_a, "patient_id"], t.exams.loc[exam_b, "patient_id"]
    if patient_a != patient_b:
        raise ValueError(f"exams {exam_a} and {exam_b} belong to different subjects ({patient_a}, {patient_b})")
    acq = _acquisition(t, exam_a, image_a)
    anatomy = t.anatomies[patient_a]
    layers = build_layers(anatomy, acq.view, grid_size_for(acq.shape[0]))
    severity_a, severity_b = (float(t.exams.loc[e, "severity"]) for e in (exam_a, exam_b))
    return _decoded(anatomy, layers, severity_a, acq, quantize), _decoded(anatomy, layers, severity_b, acq, quantize)
