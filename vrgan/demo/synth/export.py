"""Write the synthetic hospital export (I/O lives here; the law and rendering are pure).

Layout of ``OUT``::

    dicom/<PatientID>/<StudyDate>_<Accession>/S<series>/IM<instance>.dcm   (half the patients)
    dicom/<PatientID>/ST<exam>/SE<series>/IM<instance>                     (the others: no extension)
    pft.csv            patient_id,date,fev1,fvc          (litres, ISO dates; some rows broken)
    transplants.csv    patient_id,transplant_date
    truth/             what a real export never has: see :mod:`vrgan.demo.synth.truth_tables`

Everything is a deterministic function of ``(n_subjects, seed, size, law)``: random streams are
``numpy.random.default_rng([seed, stream, ...])`` and UIDs ``2.25.<uuid5(seed, ...)>``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydicom.uid import UID
from tqdm import tqdm

from vrgan.demo.synth import dicom_writer as dw
from vrgan.demo.synth.acquisition import Acquisition, acquisition_record, draw_pose_exposure, noisy_levels
from vrgan.demo.synth.anatomy import Anatomy, draw_anatomy
from vrgan.demo.synth.cohort_law import Subject, Visit, draw_cohort
from vrgan.demo.synth.layers import PhantomLayers, build_layers, grid_size_for
from vrgan.demo.synth.phantom import add_noise, attenuation
from vrgan.demo.synth.pixel_encoding import PixelEncoding, stored_from_levels
from vrgan.demo.synth.plan import ExportLaw, PlannedFile, plan_files
from vrgan.demo.synth.truth_tables import write_tables

__all__ = ["write_export", "STREAMS"]

log = logging.getLogger(__name__)
STREAMS = {"cohort": 0, "plan": 1, "anatomy": 2, "acquisition": 3, "noise": 4, "study": 5}
PORTRAIT_ASPECT = 0.82  # 35 x 43 cm detector
DETECTOR_MM = 430.0
_STUDY_DESCRIPTION = {
    "PA+LL": "XR CHEST PA AND LATERAL",
    "PA+PA+LL": "XR CHEST PA AND LATERAL",
    "PA": "XR CHEST 1 VIEW",
    "AP": "XR CHEST PORTABLE AP",
}


def _rng(seed: int, stream: str, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, STREAMS[stream], *keys])


def _uid(seed: int, *parts: object) -> str:
    """A deterministic UUID-derived UID (``2.25.<UUID as integer>``, UUID version 5 of the parts).

    Not ``generate_uid(prefix=None, entropy_srcs=...)``: pydicom 3.0.2 ignores the entropy
    when the prefix is None and returns a random UUID4 UID.
    """
    name = "/".join(["vrgan-synth-export", str(seed), *(str(p) for p in parts)])
    return UID(f"2.25.{uuid.uuid5(uuid.NAMESPACE_OID, name).int}")


def _prepare(out: Path, overwrite: bool) -> None:
    targets = [out / "dicom", out / "truth", out / "pft.csv", out / "transplants.csv"]
    present = [t for t in targets if t.exists()]
    if present and not overwrite:
        raise FileExistsError(f"{present[0]} exists; pass overwrite=True (CLI: --overwrite) to replace the export")
    for t in present:
        shutil.rmtree(t) if t.is_dir() else t.unlink()
    (out / "dicom").mkdir(parents=True)
    (out / "truth").mkdir()


def _study_info(seed: int, subject: Subject, visit: Visit, extensionless: bool) -> dict[str, Any]:
    rng = _rng(seed, "study", visit.subject_index, visit.visit_index)
    date = visit.date.strftime("%Y%m%d")
    accession = f"{int(rng.integers(10**7, 10**8))}"
    return {
        "study_uid": _uid(seed, "study", subject.patient_id, visit.visit_index),
        "accession": accession,
        "date": date,
        "time": f"{int(rng.integers(7, 19)):02d}{int(rng.integers(0, 60)):02d}{int(rng.integers(0, 60)):02d}",
        "folder": f"ST{visit.visit_index + 1:03d}" if extensionless else f"{date}_{accession}",
        "extensionless": extensionless,
    }


def _relative_path(f: PlannedFile, subject: Subject, study: dict[str, Any] | None, n_thumbs: int) -> str:
    if f.defect == "thumbs_db":
        return f"{subject.patient_id}/Thumbs{n_thumbs or ''}.db"
    instance = f.instance_number if f.sop_class != dw.DOSE_SR else 1
    if study["extensionless"]:
        path = f"{subject.patient_id}/{study['folder']}/SE{f.series_number:03d}/IM{instance:05d}"
        return path + ("_1" if f.status == "duplicate" else "")
    return f"{subject.patient_id}/{study['folder']}/S{f.series_number:03d}/IM{instance:04d}" + (
        "_1.dcm" if f.status == "duplicate" else ".dcm"
    )


def _view_fields(f: PlannedFile, rng: np.random.Generator) -> tuple[str, str | None, str | None, str]:
    """ViewPosition, ViewCodeSequence view, AcquisitionDeviceProcessingDescription, SeriesDescription."""
    v = f.view
    if f.view_source == "ViewCodeSequence":
        return "", v, None, "CHEST"
    if f.view_source == "SeriesDescription":
        return "", None, None, f"CHEST {v}"
    if f.view_source == "AcquisitionDeviceProcessingDescription":
        return "", None, f"CHEST {v}", "CHEST"
    named = {"PA": "CHEST PA", "LL": "CHEST LATERAL", "AP": "CHEST AP PORTABLE"}.get(v, "CHEST")
    description = str(rng.choice([named, "CHEST", "THORAX"]))
    return v, (v if f.modality == "DX" else None), None, description


def _header(
    seed: int, f: PlannedFile, subject: Subject, visit: Visit, study: dict[str, Any], rows: int, rng
) -> dw.ImageHeader:
    view_position, view_code, processing, series_description = _view_fields(f, rng)
    if f.sop_class == dw.DOSE_SR:
        series_description = "DOSE REPORT"
    sop_uid = _uid(seed, "instance", subject.patient_id, visit.visit_index, f.series_number, f.instance_number)
    return dw.ImageHeader(
        patient_id=subject.patient_id,
        patient_name=subject.patient_name,
        patient_birth_date=subject.birth_date.strftime("%Y%m%d"),
        patient_sex=subject.sex,
        other_patient_id=subject.other_patient_id,
        study_uid=study["study_uid"],
        series_uid=_uid(seed, "series", subject.patient_id, visit.visit_index, f.series_number),
        sop_instance_uid=sop_uid,
        sop_class_uid=f.sop_class,
        modality=f.modality,
        study_date=study["date"],
        study_time=study["time"],
        accession_number=study["accession"],
        study_description=_STUDY_DESCRIPTION[visit.study_type],
        series_description=series_description,
        series_number=f.series_number,
        instance_number=f.instance_number,
        view=f.view or "PA",
        view_position=view_position,
        view_code=view_code,
        processing_description=processing,
        pixel_spacing_mm=DETECTOR_MM / rows,
    )


def _for_processing_levels(
    anatomy: Anatomy, layers: PhantomLayers, severity: float, acq: Acquisition, rng
) -> NDArray[np.uint16]:
    """Linear (not log) detector signal of a DX For Processing image: dense = dark."""
    signal = np.exp(-2.5 * attenuation(anatomy, layers, severity, acq.pose, acq.shape))
    noisy = add_noise(signal, acq.exposure.noise_sigma, rng)
    return np.rint(np.clip(noisy, 0.0, 1.0) * acq.encoding.max_level).astype(np.uint16)


def _pixels(
    f: PlannedFile, anatomy: Anatomy, layers: dict, severity: float, acq: Acquisition, rng
) -> NDArray[np.uint16]:
    """Stored pixel values of a planned image (frames first for the multi-frame file)."""
    key = (acq.view, acq.shape[0])
    if key not in layers:
        layers[key] = build_layers(anatomy, acq.view, grid_size_for(acq.shape[0]))
    if f.defect == "dx_for_processing":
        return stored_from_levels(_for_processing_levels(anatomy, layers[key], severity, acq, rng), acq.encoding)
    frames = [
        noisy_levels(anatomy, layers[key], severity, acq, rng) for _ in range(2 if f.defect == "two_frames" else 1)
    ]
    stored = [stored_from_levels(frame, acq.encoding) for frame in frames]
    return stored[0] if len(stored) == 1 else np.stack(stored)


def _file_bytes(
    f: PlannedFile, header: dw.ImageHeader, stored: NDArray | None, encoding: PixelEncoding | None
) -> bytes:
    if f.defect == "dose_sr":
        return dw.dose_report_bytes(header)
    if f.defect == "no_preamble":
        return dw.preambleless_bytes(header, stored, encoding)
    if f.defect == "image_without_pixel_data":
        return dw.header_only_bytes(header, encoding, stored.shape)
    data = dw.image_file_bytes(header, stored, encoding, f.transfer_syntax)
    return dw.truncated(data) if f.defect == "cut_in_pixel_data" else data


def _write_subject(
    seed: int,
    size: int,
    subject: Subject,
    visits: dict[int, Visit],
    entries: list[tuple[int, PlannedFile]],
    studies: dict[int, dict[str, Any]],
    written: dict[int, tuple[str, bytes, dict[str, Any]]],
    dicom_dir: Path,
) -> tuple[Anatomy, list[dict[str, Any]]]:
    """Render and write every planned file of one subject; return its anatomy and truth rows."""
    anatomy = draw_anatomy(_rng(seed, "anatomy", subject.index))
    layers: dict = {}
    records = []
    n_thumbs = 0
    for index, f in entries:
        visit = visits.get(f.visit_index)
        study = studies.get(f.visit_index)
        record: dict[str, Any] = {"patient_id": subject.patient_id, "expected_status": f.status, "defect": f.defect}
        if f.defect == "thumbs_db":
            data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _rng(seed, "noise", index).bytes(1016)  # OLE2 signature
            path = _relative_path(f, subject, study, n_thumbs)
            n_thumbs += 1
        elif f.status == "duplicate":
            original_path, data, original = written[f.duplicate_of]
            record.update({k: v for k, v in original.items() if k not in ("path", "expected_status", "defect")})
            record["duplicate_of"] = original_path
            path = _relative_path(f, subject, study, 0)
        else:
            rng = _rng(seed, "acquisition", index)
            rows = size // 2 if f.defect == "secondary_capture" else size
            cols = round(rows * PORTRAIT_ASPECT) if f.portrait else rows
            header = _header(seed, f, subject, visit, study, rows, rng)
            stored, acq = None, None
            if f.encoding is not None:
                pose, exposure = draw_pose_exposure(rng)
                acq = Acquisition(f.view, (rows, cols), pose, exposure, f.encoding)
                stored = _pixels(f, anatomy, layers, visit.severity, acq, _rng(seed, "noise", index))
            data = _file_bytes(f, header, stored, f.encoding)
            path = _relative_path(f, subject, study, 0)
            record.update(_image_record(f, header, visit, acq, stored))
        record["path"] = path
        target = dicom_dir / path
        if target.exists():
            raise RuntimeError(f"two planned files share the path {path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written[index] = (path, data, record)
        records.append(record)
    return anatomy, records


def _image_record(
    f: PlannedFile, header: dw.ImageHeader, visit: Visit, acq: Acquisition | None, stored
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "exam_id": visit.exam_id,
        "study_uid": header.study_uid,
        "series_uid": header.series_uid,
        "sop_instance_uid": header.sop_instance_uid,
        "sop_class": header.sop_class_uid,
        "modality": header.modality,
        "view": f.view,
        "view_source": f.view_source,
        "transfer_syntax": str(dw.TRANSFER_SYNTAXES[f.transfer_syntax]),
        "image_index": f.image_index,
        "severity": visit.severity,
        "fev1_fvc_true": visit.fev1_fvc,
        "n_frames": 0,
    }
    if acq is not None:
        record.update(acquisition_record(acq))
        record["n_frames"] = 2 if f.defect == "two_frames" else 1
        if f.defect not in ("image_without_pixel_data", "cut_in_pixel_data"):  # pixels not in the file
            dtype = "<u2" if acq.encoding.bits_stored > 8 else "u1"
            record["pixel_sha256"] = hashlib.sha256(np.ascontiguousarray(stored, dtype=dtype).tobytes()).hexdigest()
    return record


def _parameters(n_subjects: int, seed: int, size: int, law: ExportLaw) -> dict[str, Any]:
    """What the export depends on: arguments, the planted law and the package versions."""
    import pydicom

    import vrgan

    return {
        "seed": seed,
        "subjects": n_subjects,
        "size": size,
        "law": json.loads(json.dumps(dataclasses.asdict(law), default=str)),
        "versions": {"vrgan": vrgan.__version__, "numpy": np.__version__, "pydicom": pydicom.__version__},
    }


def write_export(
    out_dir: str | Path,
    n_subjects: int,
    seed: int,
    size: int = 256,
    *,
    law: ExportLaw = ExportLaw(),
    overwrite: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Write a synthetic hospital export to ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Created if missing; receives ``dicom/``, ``pft.csv``, ``transplants.csv`` and ``truth/``.
    n_subjects : int
        Patients with DICOM exams (>= 1).
    seed : int
        Everything (pixels, UIDs, tables) is a deterministic function of the seed.
    size : int, default 256
        Rows of every image (>= 40, so that JPEG 2000 frames have both sides >= 32); columns
        are ``size`` or ``round(0.82 * size)``.
    law : ExportLaw
        The planted fractions.
    overwrite : bool
        Replace an existing export in ``out_dir`` (only the four outputs above are removed).
    progress : bool
        Show a tqdm bar over subjects.

    Returns
    -------
    dict
        The summary also written to ``truth/summary.json``.

    Raises
    ------
    ValueError
        If ``n_subjects < 1`` or ``size < 40``.
    FileExistsError
        If an export exists and ``overwrite`` is False.
    """
    if n_subjects < 1 or size < 40:
        raise ValueError(f"need n_subjects >= 1 and size >= 40, got {n_subjects} and {size}")
    out = Path(out_dir)
    _prepare(out, overwrite)
    subjects, visits, pft_rows, unknown_ids = draw_cohort(n_subjects, _rng(seed, "cohort"), law.cohort)
    plan_rng = _rng(seed, "plan")
    plan = plan_files(visits, n_subjects, plan_rng, law)
    n_extensionless = round(law.extensionless_fraction * n_subjects)
    extensionless = set(int(i) for i in plan_rng.choice(n_subjects, n_extensionless, replace=False))
    visits_of = {s.index: {} for s in subjects}
    for v in visits:
        visits_of[v.subject_index][v.visit_index] = v
    entries_of: dict[int, list[tuple[int, PlannedFile]]] = {s.index: [] for s in subjects}
    for index, f in enumerate(plan):
        entries_of[f.subject_index].append((index, f))
    log.info("planned %d files for %d subjects, %d exams", len(plan), n_subjects, len(visits))
    written: dict[int, tuple[str, bytes, dict[str, Any]]] = {}
    anatomies: list[Anatomy] = []
    records: list[dict[str, Any]] = []
    studies_all: dict[str, dict[str, Any]] = {}
    for subject in tqdm(subjects, desc="synthetic subjects", unit="subject", disable=not progress):
        studies = {
            k: _study_info(seed, subject, v, subject.index in extensionless)
            for k, v in visits_of[subject.index].items()
        }
        studies_all.update({v.exam_id: studies[k] for k, v in visits_of[subject.index].items()})
        anatomy, rows = _write_subject(
            seed, size, subject, visits_of[subject.index], entries_of[subject.index], studies, written, out / "dicom"
        )
        anatomies.append(anatomy)
        records += rows
    summary = write_tables(
        out,
        subjects=subjects,
        visits=visits,
        studies=studies_all,
        anatomies=anatomies,
        file_records=records,
        pft_rows=pft_rows,
        unknown_ids=unknown_ids,
        parameters=_parameters(n_subjects, seed, size, law),
    )
    log.info(
        "wrote %d files (%s), %d PFT rows, %d transplant patients to %s",
        summary["files"]["total"],
        summary["files"]["by_status"],
        summary["pft"]["rows"],
        summary["subjects"]["transplant"],
        out,
    )
    return summary
