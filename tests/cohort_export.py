"""Build small fake hospital exports in the real on-disk layout, for the cohort tests.

``<root>/dicom/...`` (DICOM files in patient/study folders, some without an extension),
``<root>/pft.csv``, ``<root>/transplants.csv`` and a ``<root>/truth/`` in the demo export's
format (``vrgan.demo.synth.truth_tables``): ``files.csv``, ``pft_rows.csv``, ``exams.csv`` and
``subjects.csv`` from what was written, and a hand-counted ``summary.json``. Every
identifying tag holds a unique planted string, listed in ``Export.secrets``, so that tests can
search the outputs for them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import (
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    MPEG2MPML,
    RLELossless,
    generate_uid,
)

CR = "1.2.840.10008.5.1.4.1.1.1"
DX = "1.2.840.10008.5.1.4.1.1.1.1"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"
DAY0 = dt.date(2015, 3, 2)


def pixels(shape: tuple[int, int] = (24, 20), seed: int = 0, bits: int = 12) -> np.ndarray:
    """A deterministic uint16 test image with values below 2**bits."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2**bits, size=shape, dtype=np.uint16)


def make_dataset(
    *,
    patient_id: str = "PID",
    study_uid: str | None = None,
    sop_uid: str | None = None,
    date: dt.date | None = DAY0,
    sop_class: str = CR,
    array: np.ndarray | None = None,
    syntax: str = ExplicitVRLittleEndian,
    photometric: str = "MONOCHROME2",
    bits_stored: int = 12,
    tags: dict | None = None,
    tag_prefix: str = "",
) -> Dataset:
    """One DICOM data set with file meta, ready for ``save_as``."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = sop_uid or generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.PatientID = patient_id
    ds.PatientName = f"{tag_prefix}NAME^ZQ"
    ds.PatientBirthDate = "19230405"
    ds.AccessionNumber = f"{tag_prefix}ACC"
    ds.InstitutionName = f"{tag_prefix}INST"
    ds.ReferringPhysicianName = f"{tag_prefix}DOC^ZQ"
    ds.OtherPatientIDs = f"{tag_prefix}OTHERID"
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "CR" if sop_class == CR else "DX"
    if date is not None:
        ds.StudyDate = date.strftime("%Y%m%d")
    for keyword, value in (tags or {}).items():
        setattr(ds, keyword, value)
    if array is not None:
        ds.Rows, ds.Columns = array.shape
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, bits_stored, bits_stored - 1
        ds.PixelRepresentation, ds.SamplesPerPixel = 0, 1
        ds.PhotometricInterpretation = photometric
        ds.PixelData = array.astype(np.uint16).tobytes()
        if syntax in (RLELossless, JPEG2000Lossless):
            ds.compress(syntax, array.astype(np.uint16))
        elif syntax != ExplicitVRLittleEndian:
            ds.file_meta.TransferSyntaxUID = syntax
            ds.PixelData = encapsulate([b"\xff\xd8\xff\xf7" + bytes(16) + b"\xff\xd9"])
    return ds


def save(ds: Dataset, path: Path) -> Path:
    """Write ``ds`` as a Part 10 file (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


@dataclass
class Export:
    """A fixture export and what the tests know about it."""

    root: Path
    secrets: list[str] = field(default_factory=list)
    true_dates: list[dt.date] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    pft_rows: list[dict] = field(default_factory=list)


def build_standard_export(root: Path) -> Export:
    """The export the workflow and flow tests run on (about 40 files, 32 PFT rows).

    Eligible pairs: patients E1..E6 each have a non-COPD PA exam (PFT 0.8) and a COPD PA exam
    (PFT 0.5) 200 days later; T1 is the same but a transplant patient; S1 has one exam; U1's
    only PFT is 31 days away. E1 also has a lateral in its first study, E2 a second PA image
    in its first study (an "extra" image), E3's second exam is MONOCHROME1 with a rescale and
    RLE, E4's first is JPEG 2000, E5's views come from ViewCodeSequence and the Fuji
    processing description, and A1 has only an AP exam.
    """
    export = Export(Path(root))
    dicom = export.root / "dicom"
    pft: list[dict] = []

    def exam(
        patient: str,
        day: int,
        name: str,
        *,
        view: dict | None = None,
        study: str | None = None,
        status: str = "ok",
        expected_view: str = "PA",
        expected_source: str = "ViewPosition",
        **kwargs,
    ) -> str:
        date = DAY0 + dt.timedelta(days=day)
        study = study or generate_uid()
        prefix = f"ZQ{len(export.files):03d}"
        pid = f"PIDZQ{patient}"
        ds = make_dataset(
            patient_id=pid,
            study_uid=study,
            date=date,
            tag_prefix=prefix,
            array=kwargs.pop("array", pixels(seed=len(export.files))),
            tags={"ViewPosition": "PA"} if view is None else view,
            **kwargs,
        )
        rel = f"{pid}/{name}"
        save(ds, dicom / rel)
        export.secrets += [
            pid,
            f"{prefix}NAME",
            f"{prefix}ACC",
            f"{prefix}INST",
            f"{prefix}DOC",
            f"{prefix}OTHERID",
            str(ds.StudyInstanceUID),
            str(ds.SOPInstanceUID),
        ]
        export.true_dates.append(date)
        export.files.append(
            {
                "path": rel,
                "expected_status": status,
                "patient_id": pid,
                "view": expected_view,
                "view_source": expected_source if status == "ok" else "",
                "study_uid": study,
                "date": date,
            }
        )
        return study

    def test(patient: str, day: int, fev1: float | str, fvc: float | str, status: str = "ok", date: str | None = None):
        when = DAY0 + dt.timedelta(days=day)
        export.true_dates.append(when)
        pft.append({"patient_id": f"PIDZQ{patient}", "date": date or when.isoformat(), "fev1": fev1, "fvc": fvc})
        row = {"row": len(pft), "expected_status": status, "patient_id": f"PIDZQ{patient}", "date": when}
        export.pft_rows.append(row | ({"fev1_fvc": fev1 / fvc} if status == "ok" else {}))

    for i, patient in enumerate(["E1", "E2", "E3", "E4", "E5", "E6", "T1"]):
        base = 10 * i
        first_kwargs: dict = {}
        if patient == "E4":
            first_kwargs = {"syntax": JPEG2000Lossless, "array": pixels((64, 48), seed=99)}
        if patient == "E5":
            code = Dataset()
            code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = "272479007", "SCT", "postero-anterior"
            first_kwargs = {"view": {"ViewCodeSequence": Sequence([code])}, "expected_source": "ViewCodeSequence"}
        first = exam(patient, base, "study1/img1.dcm" if patient != "E5" else "study1/img1b", **first_kwargs)
        if patient == "E1":
            exam(patient, base, "study1/img2.dcm", study=first, view={"ViewPosition": "LL"}, expected_view="LL")
        if patient == "E2":
            exam(patient, base, "study1/img2.dcm", study=first)
        second_kwargs: dict = {}
        if patient == "E3":
            second_kwargs = {
                "syntax": RLELossless,
                "photometric": "MONOCHROME1",
                "view": {"ViewPosition": "PA", "RescaleSlope": 2, "RescaleIntercept": 10},
            }
        if patient == "E5":
            second_kwargs = {
                "view": {"AcquisitionDeviceProcessingDescription": "CHEST P->A"},
                "expected_source": "AcquisitionDeviceProcessingDescription",
            }
        exam(patient, base + 200, "study2/IM0001", **second_kwargs)
        test(patient, base + 3, 3.2, 4.0)
        test(patient, base + 205, 2.0, 4.0)
    exam("S1", 5, "s/1")
    test("S1", 6, 3.0, 4.0)
    exam("U1", 5, "s/1")
    test("U1", 36, 3.0, 4.0)
    exam("A1", 5, "s/1", view={"ViewPosition": "AP"}, expected_view="AP")
    test("A1", 5, 3.0, 4.0)

    # rejected files
    (dicom / "junk").mkdir(parents=True, exist_ok=True)
    (dicom / "junk" / "README").write_text("not an image\n")
    export.files.append({"path": "junk/README", "expected_status": "not_dicom", "patient_id": "", "view": ""})
    export.files[-1] |= {"view_source": "", "study_uid": "", "date": None}
    exam("R1", 1, "a/nopix", array=None, status="no_pixel_data", expected_view="")
    exam("R1", 1, "a/cut.dcm", status="truncated", expected_view="")
    cut = dicom / "PIDZQR1/a/cut.dcm"
    cut.write_bytes(cut.read_bytes()[:-300])
    exam("R1", 1, "a/mpeg", syntax=MPEG2MPML, status="unsupported_syntax", expected_view="")
    exam("R1", 1, "a/sr", sop_class=BASIC_TEXT_SR, array=None, status="not_an_image_sop_class", expected_view="")
    exam("R1", 1, "a/multi", view={"ViewPosition": "PA", "NumberOfFrames": 2}, status="multiframe", expected_view="")
    shutil.copy(dicom / "PIDZQS1/s/1", dicom / "PIDZQS1/s/2-copy")
    export.files.append(
        {"path": "PIDZQS1/s/2-copy", "expected_status": "duplicate", "patient_id": "PIDZQS1", "view": ""}
    )
    export.files[-1] |= {"view_source": "", "study_uid": "", "date": None}

    # rejected PFT rows
    test("E1", 50, "", 4.0, "missing_value")
    test("E1", 51, 4.5, 4.0, "fev1_gt_fvc")
    test("E1", 52, 0.0, 4.0, "ratio_out_of_range")
    test("E1", 53, 3.0, 4.0, "unparsable_date", date="2015-13-45")
    test("E1", 54, "abc", 4.0, "unparsable_number")
    test("Z9", 55, 3.0, 4.0, "unknown_patient")
    export.secrets.append("PIDZQZ9")

    pd.DataFrame(pft).to_csv(export.root / "pft.csv", index=False)
    pd.DataFrame({"patient_id": ["PIDZQT1"]}).to_csv(export.root / "transplants.csv", index=False)
    write_truth(export, transplant={"PIDZQT1"})
    return export


#: The counts of the standard export, by hand (see ``build_standard_export``).
STANDARD_SUMMARY = {
    "files": {
        "total": 26,
        "by_status": {
            "ok": 19,
            "duplicate": 1,
            "not_dicom": 1,
            "no_pixel_data": 1,
            "truncated": 1,
            "unsupported_syntax": 1,
            "not_an_image_sop_class": 1,
            "multiframe": 1,
        },
        "ok_by_view": {"PA": 17, "LL": 1, "AP": 1},
        "ok_by_view_source": {"ViewPosition": 17, "ViewCodeSequence": 1, "AcquisitionDeviceProcessingDescription": 1},
        "ok_pa_by_view_source": {
            "ViewPosition": 15,
            "ViewCodeSequence": 1,
            "AcquisitionDeviceProcessingDescription": 1,
        },
        "ok_by_transfer_syntax": {"1.2.840.10008.1.2.1": 17, "1.2.840.10008.1.2.4.90": 1, "1.2.840.10008.1.2.5": 1},
        "ok_by_photometric": {"MONOCHROME1": 1, "MONOCHROME2": 18},
        "ok_by_bits_stored": {"12": 19},
        "ok_by_modality": {"CR": 19},
        "ok_by_sop_class": {CR: 19},
        "ok_with_nontrivial_rescale": 1,
    },
    "exams": {
        "with_ok_pa": 16,  # 17 PA images, E2's first study has two
        "extra_ok_pa_images": 1,
        "matched": 15,  # all but U1 (its PFT is 31 days away); A1 is AP only
        "matched_at_30_days": 0,
        "matched_of_transplant_patients": 2,
        "eligible": 13,
        "eligible_copd": 6,
        "eligible_non_copd": 7,
    },
    "subjects": {"with_eligible_exam": 7, "pairable": 6, "expected_pairs": 6},
    "pft": {
        "rows": 23,
        "by_status": {
            "ok": 17,
            "missing_value": 1,
            "fev1_gt_fvc": 1,
            "ratio_out_of_range": 1,
            "unparsable_date": 1,
            "unparsable_number": 1,
            "unknown_patient": 1,
        },
        "ok_within_30d_of_ok_pa_exam": 15,
    },
}


def write_truth(export: Export, transplant: set[str], window_days: int = 30) -> None:
    """``truth/`` of the standard export; the exam labels are those of the nearest ok PFT."""
    truth = export.root / "truth"
    truth.mkdir()
    files = pd.DataFrame(export.files).sort_values("path")
    files.drop(columns=["study_uid", "date"]).to_csv(truth / "files.csv", index=False)
    rows = pd.DataFrame(export.pft_rows)
    rows[["row", "expected_status"]].to_csv(truth / "pft_rows.csv", index=False)
    ok_rows = rows[rows["expected_status"] == "ok"]
    exams = []
    for (patient, study), group in files[files["study_uid"] != ""].groupby(["patient_id", "study_uid"]):
        own = ok_rows[ok_rows["patient_id"] == patient]
        days = [(d - group["date"].iloc[0]).days for d in own["date"]]
        nearest = min(range(len(days)), key=lambda k: (abs(days[k]), days[k]), default=None)
        n_ok_pa = int(((group["expected_status"] == "ok") & (group["view"] == "PA")).sum())
        near = sum(abs(d) <= window_days for d in days)
        exams.append(
            {
                "patient_id": patient,
                "study_uid": study,
                "n_ok_pa": n_ok_pa,
                "n_ok_pft_within_30d": near,
                "days_to_nearest_ok_pft": days[nearest] if nearest is not None else "",
                "copd_true": nearest is not None and own["fev1_fvc"].iloc[nearest] < 0.7,
                "transplant": patient in transplant,
                "eligible": n_ok_pa > 0 and near > 0 and patient not in transplant,
            }
        )
    exams = pd.DataFrame(exams)
    exams.to_csv(truth / "exams.csv", index=False)
    eligible = exams[exams["eligible"]]
    subjects = pd.DataFrame({"patient_id": sorted(set(exams["patient_id"]))})
    n_copd = subjects["patient_id"].map(eligible.groupby("patient_id")["copd_true"].sum()).fillna(0)
    n_all = subjects["patient_id"].map(eligible.groupby("patient_id").size()).fillna(0)
    subjects["pairable"] = (n_copd > 0) & (n_all - n_copd > 0)
    subjects["expected_pairs"] = (n_copd * (n_all - n_copd)).astype(int)
    subjects.to_csv(truth / "subjects.csv", index=False)
    (truth / "summary.json").write_text(json.dumps(STANDARD_SUMMARY, indent=2))


#: A study and an image UID with a zero-led component ("0477"): not conformant, so pydicom's
#: validation warnings quote them when the values are read.
ZERO_LED_STUDY_UID = "1.2.826.0.1.3680043.0477.6.1"


def build_hostile_export(root: Path) -> Export:
    """The standard export plus what a real PACS export does to a pipeline's privacy.

    Patient H1's folder name holds a name and a date (``PIDZQH1 MUELLER^HANS/visit 2015-03-02``);
    in it an ok PA image whose file name is Latin-1, not UTF-8 (``M\\xfcller_ZQLAT.dcm``), whose
    Study and SOP Instance UIDs have zero-led components and whose free-text tags hold planted
    strings; an image with BurnedInAnnotation YES; a broken link (a file gone after export); a
    link back to the top folder (a loop). A linked folder ``linked_ZQLINKDIR`` leads outside
    ``dicom/`` to an ok AP image of patient H2.
    """
    export = build_standard_export(root)
    dicom = export.root / "dicom"
    folder = "PIDZQH1 MUELLER^HANS/visit 2015-03-02"
    free_text = {"StudyDescription": "CHEST ZQFREE1 Mueller", "ImageComments": "ZQFREE2 seen by Dr Who"}

    def image(rel: str, patient: str, status: str, view: str, **kwargs) -> Dataset:
        pid = f"PIDZQ{patient}"
        prefix = f"ZQ{len(export.files):03d}"
        ds = make_dataset(patient_id=pid, date=DAY0, tag_prefix=prefix, array=pixels(seed=len(export.files)), **kwargs)
        export.secrets += [pid, f"{prefix}NAME", f"{prefix}ACC", f"{prefix}INST", f"{prefix}DOC", f"{prefix}OTHERID"]
        export.secrets += [str(ds.StudyInstanceUID), str(ds.SOPInstanceUID)]
        export.true_dates.append(DAY0)
        export.files.append(
            {
                "path": rel,
                "expected_status": status,
                "patient_id": pid,
                "view": view if status == "ok" else "",
                "view_source": "ViewPosition" if status == "ok" else "",
                "study_uid": str(ds.StudyInstanceUID),
                "date": DAY0,
            }
        )
        return ds

    latin1 = os.fsdecode(b"M\xfcller_ZQLAT.dcm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns about the zero-led UIDs when setting and writing them
        ds = image(
            f"{folder}/{latin1}",
            "H1",
            "ok",
            "PA",
            study_uid=ZERO_LED_STUDY_UID,
            sop_uid=ZERO_LED_STUDY_UID + ".1",
            tags={"ViewPosition": "PA", **free_text},
        )
        save(ds, dicom / folder / latin1)
    burned = image(f"{folder}/burned", "H1", "burned_in_annotation", "PA", tags={"ViewPosition": "PA"})
    burned.BurnedInAnnotation = "YES"
    save(burned, dicom / folder / "burned")
    outside = export.root / "outside_ZQOUTSIDE"
    save(image("linked_ZQLINKDIR/ap", "H2", "ok", "AP", tags={"ViewPosition": "AP"}), outside / "ap")
    (dicom / "linked_ZQLINKDIR").symlink_to(outside, target_is_directory=True)
    (dicom / folder / "ZQGONE_link").symlink_to(export.root / "ZQGONE_target")
    (dicom / folder / "loop_ZQLOOP").symlink_to(dicom, target_is_directory=True)
    for rel, status in ((f"{folder}/ZQGONE_link", "unreadable"), (f"{folder}/loop_ZQLOOP", "repeated_folder")):
        export.files.append({"path": rel, "expected_status": status, "patient_id": "", "view": "", "view_source": ""})
    export.secrets += ["MUELLER^HANS", "MUELLER", "ZQFREE1", "ZQFREE2", "ZQLAT", "ZQLINKDIR", "ZQOUTSIDE", "ZQGONE"]
    export.secrets += ["ZQLOOP", "visit 2015", ZERO_LED_STUDY_UID]
    return export
