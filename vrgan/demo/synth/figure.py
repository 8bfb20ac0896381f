"""Figure of a synthetic export: a few subjects' PA images across their visits.

Images are read back from ``OUT/dicom`` with pydicom (modality LUT, MONOCHROME1 inverted), so the
figure shows what the export holds; titles give the exam date and its true FEV1/FVC.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from matplotlib.figure import Figure
from numpy.typing import NDArray

from vrgan.demo.synth.pixel_encoding import PixelEncoding, decoded_from_stored
from vrgan.demo.synth.truth import SynthTruth, load_truth

__all__ = ["read_decoded", "choose_subjects", "figure_subjects"]


def read_decoded(path: str | Path) -> NDArray[np.int64]:
    """Pixels of a single-frame DICOM image: modality LUT applied, MONOCHROME1 inverted.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ndarray of shape (rows, cols), int64 (dense = high)
    """
    ds = pydicom.dcmread(path)
    encoding = PixelEncoding(
        int(ds.BitsStored),
        str(ds.PhotometricInterpretation),
        int(ds.get("RescaleSlope", 1)),
        int(ds.get("RescaleIntercept", 0)),
        "RescaleSlope" in ds,
    )
    return decoded_from_stored(ds.pixel_array, encoding)


def choose_subjects(truth: SynthTruth, n_subjects: int) -> list[str]:
    """Patient ids to show: pairable subjects with the most exams with an ok PA first."""
    exams = truth.exams[truth.exams.n_ok_pa > 0]
    per = exams.groupby("patient_id").size().rename("n").reset_index()
    per = per.merge(truth.subjects[["patient_id", "pairable", "subject_index"]], on="patient_id")
    per = per.sort_values(["pairable", "n", "subject_index"], ascending=[False, False, True])
    return list(per.patient_id[:n_subjects])


def figure_subjects(export_dir: str | Path, n_subjects: int = 4, max_visits: int = 5) -> Figure:
    """Grid of PA images: one row per subject, one column per visit (oldest first).

    Parameters
    ----------
    export_dir : str or Path
        ``OUT`` of :func:`vrgan.demo.synth.export.write_export`.
    n_subjects : int
        Rows of the grid.
    max_visits : int
        Columns of the grid (later visits are left out).

    Returns
    -------
    matplotlib.figure.Figure
    """
    root = Path(export_dir)
    truth = load_truth(root / "truth")
    patients = choose_subjects(truth, n_subjects)
    fig = Figure(figsize=(2.2 * max_visits, 2.6 * max(1, len(patients))), layout="constrained")
    axes = fig.subplots(max(1, len(patients)), max_visits, squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    files = truth.files.set_index("sop_instance_uid", drop=False)
    for i, patient in enumerate(patients):
        exams = truth.exams[(truth.exams.patient_id == patient) & (truth.exams.n_ok_pa > 0)].sort_values("date")
        for j, (_, exam) in enumerate(exams.iloc[:max_visits].iterrows()):
            rows = files.loc[[exam.reference_sop_instance_uid]]
            image = read_decoded(root / "dicom" / rows[rows.expected_status == "ok"].path.iloc[0])
            low, high = np.percentile(image, [1, 99])
            axes[i, j].imshow(image, cmap="gray", vmin=low, vmax=high)
            label = "COPD" if exam.copd_true else "no COPD"
            axes[i, j].set_title(f"{exam.date}\nFEV1/FVC {exam.fev1_fvc_true:.2f} ({label})", fontsize=8)
        axes[i, 0].text(
            -0.05, 0.5, patient, transform=axes[i, 0].transAxes, rotation=90, va="center", ha="right", fontsize=8
        )
    fig.suptitle("Synthetic export: PA images across visits (true FEV1/FVC)", fontsize=10)
    return fig
