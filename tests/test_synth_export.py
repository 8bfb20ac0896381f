"""The written export: pydicom reads back what truth/ says, planted counts add up, determinism."""

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pydicom
import pytest
from pydicom.errors import InvalidDicomError

from vrgan.cohort.matching import match_pfts_to_exams
from vrgan.demo.synth.dicom_writer import CR_IMAGE, DX_PRESENTATION, VIEW_CODES
from vrgan.demo.synth.export import write_export
from vrgan.demo.synth.plan import BROKEN_VARIANTS, REASON_CODES

N_SUBJECTS, SEED, SIZE = 12, 3, 48
IMAGE_CLASSES = {CR_IMAGE, DX_PRESENTATION}
CODE_TO_VIEW = {code: view for view, (code, _) in VIEW_CODES.items()}


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    summary = write_export(out, N_SUBJECTS, SEED, SIZE, progress=False)
    files = pd.read_csv(out / "truth" / "files.csv", dtype=str, keep_default_na=False)
    return out, summary, files


def classify(path: Path, seen: set[str]) -> str:
    """A minimal reference ingest: the reason code pydicom's behaviour implies."""
    try:
        ds = pydicom.dcmread(path)
    except InvalidDicomError:
        return "not_dicom"
    if ds.SOPClassUID not in IMAGE_CLASSES:
        return "unsupported_image_sop_class" if "Image Storage" in ds.SOPClassUID.name else "not_an_image_sop_class"
    if "PixelData" not in ds:
        return "no_pixel_data"
    if int(ds.get("NumberOfFrames", 1)) > 1:
        return "multiframe"
    if ds.SOPInstanceUID in seen:
        return "duplicate"
    seen.add(ds.SOPInstanceUID)
    try:
        ds.pixel_array
    except ValueError:
        return "truncated"
    except (NotImplementedError, RuntimeError):
        return "unsupported_syntax"
    return "ok"


def read_view(ds) -> tuple[str, str]:
    if ds.get("ViewPosition", ""):
        return ds.ViewPosition, "ViewPosition"
    if "ViewCodeSequence" in ds:
        return CODE_TO_VIEW[ds.ViewCodeSequence[0].CodeValue], "ViewCodeSequence"
    if "AcquisitionDeviceProcessingDescription" in ds:
        return ds.AcquisitionDeviceProcessingDescription.split()[-1], "AcquisitionDeviceProcessingDescription"
    return ds.SeriesDescription.split()[-1], "SeriesDescription"


def test_files_csv_lists_every_file_once(export):
    out, summary, files = export
    on_disk = sorted(p.relative_to(out / "dicom").as_posix() for p in (out / "dicom").rglob("*") if p.is_file())
    assert list(files.path) == on_disk
    assert summary["files"]["total"] == len(on_disk)
    assert summary["files"]["extensionless"] == sum("." not in p for p in on_disk) > 0
    assert set(files.expected_status) <= {"ok", *REASON_CODES}


def test_reference_ingest_agrees_with_every_expected_status(export):
    out, summary, files = export
    seen: set[str] = set()
    got = [classify(out / "dicom" / p, seen) for p in files.path]  # files.csv is in path order
    assert got == list(files.expected_status)
    assert dict(Counter(got)) == summary["files"]["by_status"]
    assert set(REASON_CODES) <= set(got)
    assert Counter(files.defect[files.defect != ""]) == Counter(
        {d: max(1, round(0.01 * N_SUBJECTS)) for _, d in BROKEN_VARIANTS}
        | {"byte_identical_copy": max(1, round(0.02 * N_SUBJECTS))}
    )


def test_decoded_pixels_match_what_was_written(export):
    out, _, files = export
    decodable = files[files.pixel_sha256 != ""]
    checked = Counter()
    for row in decodable.itertuples():
        ds = pydicom.dcmread(out / "dicom" / row.path, force=True)
        if row.expected_status == "unsupported_syntax":
            continue
        if row.defect == "no_preamble":  # a raw implicit-VR dataset: valid pixels, no file meta
            ds.file_meta = pydicom.dataset.FileMetaDataset()
            ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
        pixels = ds.pixel_array
        dtype = "<u2" if ds.BitsAllocated == 16 else "u1"
        assert (
            hashlib.sha256(np.ascontiguousarray(pixels, dtype=dtype).tobytes()).hexdigest() == row.pixel_sha256
        ), row.path
        checked[(ds.file_meta.TransferSyntaxUID, ds.PhotometricInterpretation, int(ds.BitsStored))] += 1
    syntaxes = {k[0] for k in checked}
    assert {
        "1.2.840.10008.1.2",
        "1.2.840.10008.1.2.1",
        "1.2.840.10008.1.2.5",
        "1.2.840.10008.1.2.4.70",
        "1.2.840.10008.1.2.4.57",
        "1.2.840.10008.1.2.4.90",
    } <= syntaxes
    assert {k[1] for k in checked} == {"MONOCHROME1", "MONOCHROME2"} and {12, 14, 16} <= {k[2] for k in checked}


def test_headers_match_truth_and_carry_identifying_data(export):
    out, summary, files = export
    ok = files[files.expected_status == "ok"]
    for row in ok.itertuples():
        ds = pydicom.dcmread(out / "dicom" / row.path, stop_before_pixels=True)
        assert (ds.PatientID, ds.StudyInstanceUID, ds.SOPInstanceUID, ds.SOPClassUID) == (
            row.patient_id,
            row.study_uid,
            row.sop_instance_uid,
            row.sop_class,
        )
        assert row.path.startswith(ds.PatientID + "/") and ds.BodyPartExamined == "CHEST"
        assert (ds.PhotometricInterpretation, str(ds.BitsStored), ds.file_meta.TransferSyntaxUID) == (
            row.photometric,
            row.bits_stored,
            row.transfer_syntax,
        )
        assert read_view(ds) == (row.view, row.view_source)
        assert float(ds.get("RescaleSlope", 1)) == float(row.rescale_slope)
        for keyword in (
            "PatientName",
            "PatientBirthDate",
            "AccessionNumber",
            "InstitutionName",
            "ReferringPhysicianName",
            "OtherPatientIDs",
            "StudyDate",
            "StudyTime",
        ):
            assert str(ds.get(keyword, "")), (keyword, row.path)
    assert dict(Counter(ok.view_source)) == summary["files"]["ok_by_view_source"]
    assert len(summary["files"]["ok_by_view_source"]) == 4 and set(ok.view) == {"PA", "AP", "LL"}
    assert summary["exams"]["with_two_ok_pa"] >= 1
    assert (
        len(set(files.sop_instance_uid[files.expected_status != "duplicate"]) - {""})
        == ((files.expected_status != "duplicate") & (files.sop_instance_uid != "")).sum()
    )


def test_pft_tables_agree(export):
    out, summary, _ = export
    assert (out / "pft.csv").read_text().splitlines()[0] == "patient_id,date,fev1,fvc"
    pft = pd.read_csv(out / "pft.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(out / "truth" / "pft_rows.csv", dtype={"patient_id": str}, keep_default_na=False)
    assert list(truth.row) == list(range(1, len(pft) + 1)) and list(truth.patient_id) == list(pft.patient_id)
    assert dict(Counter(truth.expected_status)) == summary["pft"]["by_status"]
    ok = pft[truth.expected_status == "ok"]
    assert (pd.to_datetime(ok.date, format="%Y-%m-%d").dt.strftime("%Y-%m-%d") == ok.date).all()
    dicom_patients = {p.name for p in (out / "dicom").iterdir()}
    assert set(pft.patient_id[truth.expected_status == "unknown_patient"]).isdisjoint(dicom_patients)
    assert set(pft.patient_id[truth.expected_status == "ok"]) <= dicom_patients
    transplants = pd.read_csv(out / "transplants.csv", dtype=str)
    assert list(transplants.columns) == ["patient_id", "transplant_date"]
    assert len(transplants) == summary["subjects"]["transplant"] >= 1 and set(transplants.patient_id) <= dicom_patients


def test_exam_and_subject_truth_is_consistent(export):
    out, summary, files = export
    exams = pd.read_csv(out / "truth" / "exams.csv", dtype={"patient_id": str})
    subjects = pd.read_csv(out / "truth" / "subjects.csv", dtype={"patient_id": str})
    assert len(exams) == summary["exams"]["total"] and len(subjects) == N_SUBJECTS
    ok_pa = files[(files.expected_status == "ok") & (files.view == "PA")]
    assert (exams.n_ok_pa > 0).sum() == ok_pa.exam_id.nunique() == summary["exams"]["with_ok_pa"]
    assert (exams.copd_true == (exams.fev1_fvc_true < 0.7)).all()
    pairs = sum(
        (g.eligible & g.copd_true).sum() * (g.eligible & ~g.copd_true).sum() for _, g in exams.groupby("patient_id")
    )
    assert pairs == summary["subjects"]["expected_pairs"] == subjects.expected_pairs.sum()
    flags = subjects[["single_exam", "all_copd", "all_non_copd", "has_copd_pair"]].sum(axis=1)
    assert (flags == 1).all()  # the four subject kinds partition the cohort
    e = summary["exams"]
    assert e["extra_ok_pa_images"] == len(ok_pa) - e["with_ok_pa"]
    assert e["eligible"] == e["matched"] - e["matched_of_transplant_patients"]
    assert summary["subjects"]["with_eligible_exam"] == exams.patient_id[exams.eligible].nunique()


def test_matched_counts_are_those_of_a_one_to_one_matching(export):
    """What the truth calls matched is what mutual-nearest matching finds on the truth tables."""
    out, summary, _ = export
    exams = pd.read_csv(out / "truth" / "exams.csv", dtype={"patient_id": str})
    rows = pd.read_csv(out / "truth" / "pft_rows.csv", dtype={"patient_id": str})
    pa = exams.loc[exams.n_ok_pa > 0, ["patient_id", "exam_id", "date"]]
    ok = rows.loc[rows.expected_status == "ok"].assign(pft_id=lambda t: t.row.astype(str))
    matches = match_pfts_to_exams(pa, ok[["patient_id", "pft_id", "date"]], 30)
    truth = exams.set_index("exam_id")
    assert len(matches) == summary["exams"]["matched"]
    assert (matches.days_apart == truth.days_to_nearest_ok_pft.abs()[matches.exam_id].to_numpy()).all()
    assert (matches.days_apart == 30).sum() == summary["exams"]["matched_at_30_days"]
    assert truth.transplant[matches.exam_id].sum() == summary["exams"]["matched_of_transplant_patients"]
    assert json.loads((out / "truth" / "summary.json").read_text()) == summary


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_export(tmp_path):
    write_export(tmp_path / "a", 3, 11, 40, progress=False)
    write_export(tmp_path / "b", 3, 11, 40, progress=False)
    write_export(tmp_path / "c", 3, 12, 40, progress=False)
    a, b, c = (_tree_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert a["pft.csv"] != c["pft.csv"] and a["truth/files.csv"] != c["truth/files.csv"]
    with pytest.raises(FileExistsError, match="overwrite"):
        write_export(tmp_path / "a", 3, 11, 40, progress=False)
    with pytest.raises(ValueError, match="size >= 40"):
        write_export(tmp_path / "d", 3, 11, 32, progress=False)
