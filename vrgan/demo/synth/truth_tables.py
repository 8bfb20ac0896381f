"""The tables of a synthetic export: ``pft.csv``, ``transplants.csv`` and ``truth/``.

``truth/files.csv`` -- one row per file under ``OUT/dicom``, sorted by ``path`` (relative to
``OUT/dicom``, POSIX). ``expected_status`` is ``ok`` or one reason code (see
:data:`vrgan.demo.synth.plan.REASON_CODES`); ``defect`` names the planted variant. Image rows carry
the exam, UIDs, ``sop_class``, ``modality``, ``view`` (PA/AP/LL), ``view_source`` (the element an
ingest should read the view from), ``transfer_syntax`` (UID), the acquisition (``rows, cols,
rotation_deg, scale, shift_row, shift_col, gain, offset, noise_sigma``), the pixel encoding
(``photometric, bits_stored, rescale_slope, rescale_intercept, has_rescale``), ``severity``,
``fev1_fvc_true``, ``n_frames`` and ``pixel_sha256`` (SHA-256 of the stored pixel array, uint16
little-endian, C order, frames first). ``duplicate_of`` gives the path of the first copy.

``truth/pft_rows.csv`` -- one row per pft.csv data row (``row`` is 1-based): ``expected_status``,
``kind``, the true ``date``/``fev1``/``fvc``/``fev1_fvc`` behind the (possibly broken) text, the
exam it was planted beside, and the nearest exam of the patient with the signed day difference
(PFT date minus exam date).

``truth/exams.csv`` -- one row per exam (= study): ids, date, ``study_type``, true lung function,
``copd_true`` (FEV1/FVC < 0.70), ``severity``, the reference PA image (first ok PA) with its
acquisition, ``n_ok_pa``, ``n_ok_pft_within_30d``, ``days_to_nearest_ok_pft``, ``transplant`` and
``eligible`` (ok PA, an ok PFT within 30 days, not a transplant patient). An exam with an ok PA
and an ok PFT within 30 days is *matched*: exams of a subject are at least 90 days apart, so a
one-to-one matching pairs each such exam with its nearest ok PFT.

``truth/subjects.csv`` -- one row per patient with DICOM: demographics, ``trajectory``, flags
``single_exam``, ``all_copd``, ``all_non_copd``, ``has_copd_pair`` (these four partition the
subjects: the "all" flags need at least two exams), ``transplant``; ``pairable`` and
``expected_pairs`` (non-COPD x COPD combinations of eligible exams); key anatomy scalars.
``truth/anatomy.jsonl`` holds each subject's full anatomy (one JSON object per line).

``truth/summary.json`` -- the counts of everything planted, the parameters and the rules. Beside
the planted counts it holds what a correct cohort flow must find: ``exams.with_ok_pa`` (PA exams),
``exams.extra_ok_pa_images`` (second PA images of a study), ``exams.matched``,
``exams.matched_at_30_days``, ``exams.matched_of_transplant_patients``, ``exams.eligible[_copd,
_non_copd]``, ``subjects.with_eligible_exam``, ``subjects.pairable``, ``subjects.expected_pairs``
and ``pft.ok_within_30d_of_ok_pa_exam`` (ok PFTs with a candidate exam).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from vrgan.demo.export import PFT_COLUMNS, TRANSPLANT_COLUMNS
from vrgan.demo.synth.anatomy import Anatomy, anatomy_to_dict
from vrgan.demo.synth.cohort_law import COPD_THRESHOLD, Subject, Visit
from vrgan.demo.synth.pft_law import PftRecord

__all__ = ["FILE_COLUMNS", "write_tables"]

FORMAT_VERSION = 1
FILE_COLUMNS = [
    "path",
    "expected_status",
    "defect",
    "patient_id",
    "exam_id",
    "study_uid",
    "series_uid",
    "sop_instance_uid",
    "sop_class",
    "modality",
    "view",
    "view_source",
    "photometric",
    "bits_stored",
    "transfer_syntax",
    "rescale_slope",
    "rescale_intercept",
    "has_rescale",
    "rows",
    "cols",
    "n_frames",
    "image_index",
    "severity",
    "fev1_fvc_true",
    "rotation_deg",
    "scale",
    "shift_row",
    "shift_col",
    "gain",
    "offset",
    "noise_sigma",
    "pixel_sha256",
    "duplicate_of",
]
ACQUISITION_COLUMNS = [
    "view",
    "rows",
    "cols",
    "rotation_deg",
    "scale",
    "shift_row",
    "shift_col",
    "gain",
    "offset",
    "noise_sigma",
    "photometric",
    "bits_stored",
    "rescale_slope",
    "rescale_intercept",
    "has_rescale",
]
RULES = {
    "duplicate": "the first copy in lexicographic order of the path relative to OUT/dicom is ok, later copies are duplicate",
    "sop_class_before_pixel_data": (
        "the SOP class is judged before Pixel Data: a dose SR is not_an_image_sop_class; an image of a class other "
        "than CR or DX For Presentation (DX For Processing, Secondary Capture) is unsupported_image_sop_class; "
        "a CR image without Pixel Data is no_pixel_data"
    ),
    "not_dicom": "files without the 128-byte preamble and 'DICM' prefix are not_dicom even when they hold a dataset",
    "unsupported_syntax": "JPEG 2000 Part 2 (1.2.840.10008.1.2.4.92): pydicom 3.0.2 has no decoder for it",
    "copd": f"FEV1/FVC < {COPD_THRESHOLD}; true exam ratios avoid (0.68, 0.72), near PFTs err by <= 0.015",
    "severity": "clip((0.85 - FEV1/FVC) / 0.55, 0, 1)",
    "pft_window_days": 30,
    "ratio_out_of_range": "planted rows give FVC in mL: 0 < FEV1/FVC < 0.01 (ok rows lie in (0.2, 0.95))",
    "matched_exam": (
        "an ok PA image and an ok PFT within 30 days (inclusive); exams of a subject are >= 90 days apart, so a "
        "one-to-one matching pairs every such exam, at the distance of its nearest ok PFT"
    ),
    "eligible_exam": "a matched exam of a patient without a lung transplant",
    "expected_pairs": "per subject, (#eligible non-COPD exams) x (#eligible COPD exams)",
}


def _nearest(day, exams: list[Visit]) -> tuple[str, Any]:
    if not exams:
        return "", None
    best = min(exams, key=lambda v: (abs((day - v.date).days), v.date))
    return best.exam_id, (day - best.date).days


def _pft_tables(rows: list[PftRecord], exams_of: dict[str, list[Visit]]) -> pd.DataFrame:
    truth = []
    for n, r in enumerate(rows, start=1):
        nearest, days = _nearest(r.date, exams_of.get(r.patient_id, []))
        truth.append(
            {
                "row": n,
                "expected_status": r.expected_status,
                "kind": r.kind,
                "patient_id": r.patient_id,
                "date": r.date.isoformat(),
                "fev1": r.fev1,
                "fvc": r.fvc,
                "fev1_fvc": round(r.fev1 / r.fvc, 4),
                "exam_id": r.exam_id,
                "nearest_exam_id": nearest,
                "days_to_nearest_exam": days,
            }
        )
    table = pd.DataFrame(truth)
    table["days_to_nearest_exam"] = pd.array(table["days_to_nearest_exam"].tolist(), dtype="Int64")
    return table


def _exam_table(visits, subjects, studies, files: pd.DataFrame, pft: pd.DataFrame) -> pd.DataFrame:
    ok_pa = files[(files.expected_status == "ok") & (files.view == "PA")].sort_values(["exam_id", "image_index"])
    first_pa = ok_pa.drop_duplicates("exam_id").set_index("exam_id")
    n_pa = ok_pa.groupby("exam_id").size()
    ok_pft = pft[pft.expected_status == "ok"]
    table = []
    for v in visits:
        s = subjects[v.subject_index]
        own = ok_pft[ok_pft.patient_id == s.patient_id]
        days = [(pd.Timestamp(d).date() - v.date).days for d in own.date]
        near = [d for d in days if abs(d) <= 30]
        row = {
            "patient_id": s.patient_id,
            "exam_id": v.exam_id,
            "study_uid": studies[v.exam_id]["study_uid"],
            "accession_number": studies[v.exam_id]["accession"],
            "date": v.date.isoformat(),
            "study_type": v.study_type,
            "fev1_fvc_true": v.fev1_fvc,
            "fvc_true": v.fvc,
            "fev1_true": round(v.fev1_fvc * v.fvc, 4),
            "copd_true": v.fev1_fvc < COPD_THRESHOLD,
            "severity": v.severity,
            "n_ok_pa": int(n_pa.get(v.exam_id, 0)),
            "n_ok_pft_within_30d": len(near),
            "days_to_nearest_ok_pft": min(days, key=lambda d: (abs(d), d)) if days else "",
            "transplant": s.transplant_date is not None,
        }
        row["eligible"] = row["n_ok_pa"] > 0 and len(near) > 0 and not row["transplant"]
        ref = first_pa.loc[v.exam_id] if v.exam_id in first_pa.index else None
        row["reference_sop_instance_uid"] = ref["sop_instance_uid"] if ref is not None else ""
        for c in ACQUISITION_COLUMNS:
            row[c] = ref[c] if ref is not None else ""
        table.append(row)
    return pd.DataFrame(table)


def _subject_table(subjects: list[Subject], anatomies: list[Anatomy], exams: pd.DataFrame) -> pd.DataFrame:
    table = []
    for s, a in zip(subjects, anatomies):
        own = exams[exams.patient_id == s.patient_id]
        eligible = own[own.eligible]
        n_copd, n_non = int(eligible.copd_true.sum()), int((~eligible.copd_true).sum())
        table.append(
            {
                "patient_id": s.patient_id,
                "subject_index": s.index,
                "sex": s.sex,
                "birth_date": s.birth_date.isoformat(),
                "height_cm": s.height_cm,
                "fvc_predicted": s.fvc_predicted,
                "trajectory": s.trajectory,
                "n_exams": len(own),
                "single_exam": len(own) == 1,
                "all_copd": len(own) > 1 and bool(own.copd_true.all()),
                "all_non_copd": len(own) > 1 and bool((~own.copd_true).all()),
                "has_copd_pair": bool(own.copd_true.any() and (~own.copd_true).any()),
                "transplant": s.transplant_date is not None,
                "transplant_date": s.transplant_date.isoformat() if s.transplant_date else "",
                "pairable": n_copd > 0 and n_non > 0,
                "expected_pairs": n_copd * n_non,
                "diaphragm_row_right": a.diaphragm_row[0],
                "diaphragm_row_left": a.diaphragm_row[1],
                "dome_height_right": a.dome_height[0],
                "dome_height_left": a.dome_height[1],
                "heart_center_row": a.heart_center[0],
                "heart_center_col": a.heart_center[1],
                "n_vessel_segments": len(a.vessels),
            }
        )
    return pd.DataFrame(table)


def _counts(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in sorted(Counter(series.astype(str)).items())}


def _ok_pfts_near_pa_exams(exams: pd.DataFrame, pft: pd.DataFrame) -> int:
    """Ok PFT rows within 30 days of an exam that has an ok PA image (matching candidates)."""
    pa = exams.loc[exams.n_ok_pa > 0, ["patient_id", "date"]]
    ok = pft.loc[pft.expected_status == "ok", ["row", "patient_id", "date"]]
    edges = ok.merge(pa, on="patient_id", suffixes=("", "_exam"))
    days = (pd.to_datetime(edges["date"]) - pd.to_datetime(edges["date_exam"])).dt.days.abs()
    return int(edges.loc[days <= 30, "row"].nunique())


def _summary(files, exams, subject_table, pft, rows, unknown_ids, parameters) -> dict[str, Any]:
    ok = files[files.expected_status == "ok"]
    same_day = Counter((r.patient_id, r.date_text) for r in rows if r.expected_status == "ok")
    matched = (exams.n_ok_pa > 0) & (exams.n_ok_pft_within_30d > 0)
    nearest_days = pd.to_numeric(exams.days_to_nearest_ok_pft, errors="coerce").abs()
    return {
        "format_version": FORMAT_VERSION,
        "parameters": parameters,
        "files": {
            "total": len(files),
            "by_status": _counts(files.expected_status),
            "by_defect": _counts(files.defect[files.defect != ""]),
            "extensionless": int((~files.path.str.contains(r"\.")).sum()),
            "ok_by_view": _counts(ok.view),
            "ok_by_view_source": _counts(ok.view_source),
            "ok_pa_by_view_source": _counts(ok.view_source[ok.view == "PA"]),
            "ok_by_transfer_syntax": _counts(ok.transfer_syntax),
            "ok_by_photometric": _counts(ok.photometric),
            "ok_by_bits_stored": _counts(ok.bits_stored),
            "ok_by_modality": _counts(ok.modality),
            "ok_by_sop_class": _counts(ok.sop_class),
            "ok_with_nontrivial_rescale": int(((ok.rescale_slope != 1) | (ok.rescale_intercept != 0)).sum()),
        },
        "exams": {
            "total": len(exams),
            "by_study_type": _counts(exams.study_type),
            "with_ok_pa": int((exams.n_ok_pa > 0).sum()),
            "with_two_ok_pa": int((exams.n_ok_pa >= 2).sum()),
            "extra_ok_pa_images": int((exams.n_ok_pa - 1).clip(lower=0).sum()),
            "copd": int(exams.copd_true.sum()),
            "non_copd": int((~exams.copd_true).sum()),
            "with_ok_pft_within_30d": int((exams.n_ok_pft_within_30d > 0).sum()),
            "of_transplant_patients": int(exams.transplant.sum()),
            "matched": int(matched.sum()),
            "matched_at_30_days": int((matched & (nearest_days == 30)).sum()),
            "matched_of_transplant_patients": int((matched & exams.transplant).sum()),
            "eligible": int(exams.eligible.sum()),
            "eligible_copd": int((exams.eligible & exams.copd_true).sum()),
            "eligible_non_copd": int((exams.eligible & ~exams.copd_true).sum()),
        },
        "subjects": {
            "total": len(subject_table),
            "by_trajectory": _counts(subject_table.trajectory),
            "single_exam": int(subject_table.single_exam.sum()),
            "all_copd": int(subject_table.all_copd.sum()),
            "all_non_copd": int(subject_table.all_non_copd.sum()),
            "has_copd_pair": int(subject_table.has_copd_pair.sum()),
            "transplant": int(subject_table.transplant.sum()),
            "with_eligible_exam": int(subject_table.patient_id.isin(exams.patient_id[exams.eligible]).sum()),
            "pairable": int(subject_table.pairable.sum()),
            "expected_pairs": int(subject_table.expected_pairs.sum()),
        },
        "pft": {
            "rows": len(pft),
            "by_status": _counts(pft.expected_status),
            "by_kind": _counts(pft.kind),
            "same_day_pairs": sum(1 for n in same_day.values() if n >= 2),
            "unknown_patients": len(unknown_ids),
            "ok_at_30_days": int(((pft.expected_status == "ok") & (pft.days_to_nearest_exam.abs() == 30)).sum()),
            "ok_at_31_days": int(((pft.expected_status == "ok") & (pft.days_to_nearest_exam.abs() == 31)).sum()),
            "ok_within_30d_of_ok_pa_exam": _ok_pfts_near_pa_exams(exams, pft),
        },
        "rules": RULES,
    }


def write_tables(
    out: Path,
    *,
    subjects: list[Subject],
    visits: list[Visit],
    studies: dict[str, dict[str, Any]],
    anatomies: list[Anatomy],
    file_records: list[dict[str, Any]],
    pft_rows: list[PftRecord],
    unknown_ids: list[str],
    parameters: dict[str, Any],
) -> dict[str, Any]:
    """Write pft.csv, transplants.csv and truth/*; return the summary.

    Parameters
    ----------
    out : Path
        The export root (``out/truth`` exists).
    subjects, visits, studies, anatomies, file_records, pft_rows, unknown_ids
        What :func:`vrgan.demo.synth.export.write_export` drew and wrote.
    parameters : dict
        Recorded verbatim in the summary.

    Returns
    -------
    dict
        The content of ``truth/summary.json``.
    """
    truth = out / "truth"
    with open(out / "pft.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(PFT_COLUMNS.values()))
        writer.writerows([r.patient_id, r.date_text, r.fev1_text, r.fvc_text] for r in pft_rows)
    transplants = sorted((s.patient_id, s.transplant_date.isoformat()) for s in subjects if s.transplant_date)
    pd.DataFrame(transplants, columns=[TRANSPLANT_COLUMNS["patient_id"], "transplant_date"]).to_csv(out / "transplants.csv", index=False)
    files = pd.DataFrame(file_records).reindex(columns=FILE_COLUMNS).convert_dtypes()
    files = files.sort_values("path").reset_index(drop=True)
    files.to_csv(truth / "files.csv", index=False)
    exams_of: dict[str, list[Visit]] = {}
    for v in visits:
        exams_of.setdefault(subjects[v.subject_index].patient_id, []).append(v)
    pft = _pft_tables(pft_rows, exams_of)
    pft.to_csv(truth / "pft_rows.csv", index=False)
    exams = _exam_table(visits, subjects, studies, files, pft)
    exams.to_csv(truth / "exams.csv", index=False)
    subject_table = _subject_table(subjects, anatomies, exams)
    subject_table.to_csv(truth / "subjects.csv", index=False)
    with open(truth / "anatomy.jsonl", "w") as handle:
        for s, a in zip(subjects, anatomies):
            handle.write(json.dumps({"patient_id": s.patient_id, "anatomy": anatomy_to_dict(a)}) + "\n")
    summary = _summary(files, exams, subject_table, pft, pft_rows, unknown_ids, parameters)
    (truth / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    (truth / "README.md").write_text("# Truth of a synthetic export (vrgan.demo.synth)\n\n" + __doc__.strip() + "\n")
    return summary
