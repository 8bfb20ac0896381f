"""The PFT table of the synthetic cohort: which rows exist, what they measure, how some are broken.

Row kinds: ``near_exam`` (0..30 days from its exam, some at exactly 30), ``same_day_repeat`` (a
second test on the same day), ``far`` (at least 45 days from every exam of the patient), ``day31``
(exactly 31 days from an exam), ``unknown_patient`` (a patient with no DICOM), and one extra row
per defect (:data:`PFT_DEFECTS`) placed within 20 days of an exam. A measurement errs from the true
ratio by at most 0.012 before rounding to 0.01 L (see :mod:`vrgan.demo.synth.cohort_law`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from vrgan.cohort.reasons import PFT_REASONS, known_codes

if TYPE_CHECKING:
    from vrgan.demo.synth.cohort_law import CohortLaw, Subject, Visit

__all__ = ["PFT_DEFECTS", "PftRecord", "draw_pft_rows"]

# codes of the one table (vrgan.cohort.reasons), refused at import if it lacks one
PFT_DEFECTS = known_codes(("missing_value", "fev1_gt_fvc", "ratio_out_of_range", "unparsable_date"), PFT_REASONS, "PFT")
(UNKNOWN_PATIENT,) = known_codes(("unknown_patient",), PFT_REASONS, "PFT")


@dataclass(frozen=True)
class PftRecord:
    """One pft.csv row: the text written and the truth behind it."""

    patient_id: str
    date_text: str
    fev1_text: str
    fvc_text: str
    expected_status: str
    kind: str  # near_exam, same_day_repeat, far, day31, unknown_patient, or the defect name
    date: dt.date
    fev1: float
    fvc: float
    exam_id: str  # the exam a near/defect row was planted beside, else ""


def _measure(rng: np.random.Generator, ratio: float, fvc: float) -> tuple[float, float]:
    """A PFT measurement of a true (ratio, FVC): bounded error, values in litres to 0.01 L."""
    fvc_m = round(fvc * rng.uniform(0.97, 1.03), 2)
    fev1_m = round(float(np.clip(ratio + rng.uniform(-0.012, 0.012), 0.21, 0.94)) * fvc_m, 2)
    return fev1_m, fvc_m


def _far_date(rng: np.random.Generator, exam_dates: list[dt.date]) -> dt.date:
    """A PFT date at least 45 days from every exam, within a year of the first/last exam."""
    lo = exam_dates[0] - dt.timedelta(days=365)
    span = (exam_dates[-1] - lo).days + 365
    while True:
        day = lo + dt.timedelta(days=int(rng.integers(0, span + 1)))
        if min(abs((day - e).days) for e in exam_dates) >= 45:
            return day


def _trajectory_ratio(day: dt.date, visits: list[Visit]) -> float:
    xs = [v.date.toordinal() for v in visits]
    return float(np.interp(day.toordinal(), xs, [v.fev1_fvc for v in visits]))


def _row(patient_id: str, day: dt.date, fev1: float, fvc: float, kind: str, exam_id: str = "") -> PftRecord:
    status = UNKNOWN_PATIENT if kind == UNKNOWN_PATIENT else "ok"
    return PftRecord(patient_id, day.isoformat(), f"{fev1:.2f}", f"{fvc:.2f}", status, kind, day, fev1, fvc, exam_id)


def _defect(record: PftRecord, defect: str, variant: int) -> PftRecord:
    """The same measurement written with one defect (the row's expected_status)."""
    fev1, fvc, date_text = record.fev1_text, record.fvc_text, record.date_text
    if defect == "missing_value":
        fev1, fvc = ("", fvc) if variant % 2 == 0 else (fev1, "")
    elif defect == "fev1_gt_fvc":
        fev1, fvc = fvc, fev1  # columns swapped
    elif defect == "ratio_out_of_range":
        fvc = f"{record.fvc * 1000:.0f}"  # FVC in mL: FEV1/FVC < 0.01
    elif defect == "unparsable_date":
        d = record.date
        date_text = f"{d.year}-02-30" if variant % 2 == 0 else f"{d.year}-13-{d.day:02d}"
    return PftRecord(
        record.patient_id, date_text, fev1, fvc, defect, defect, record.date, record.fev1, record.fvc, record.exam_id
    )


def _at_least(rate: float, n: int) -> int:
    return max(1, int(round(rate * n)))


def draw_pft_rows(
    subjects: list[Subject],
    visits: list[Visit],
    unknown_ids: list[str],
    window_edge: set[int],
    rng: np.random.Generator,
    law: CohortLaw,
) -> list[PftRecord]:
    """Draw the rows of pft.csv.

    Parameters
    ----------
    subjects, visits
        The cohort (visits carry ``planned_pfts``, the near rows to plant beside each exam).
    unknown_ids : list of str
        Patient ids with PFTs but no DICOM.
    window_edge : set of int
        Indices into ``visits`` whose near PFT lies exactly 30 days away.
    rng : numpy.random.Generator
    law : CohortLaw

    Returns
    -------
    list of PftRecord
        In pft.csv order: patient id, then true date, then drawing order.
    """
    n_subjects, n_exams = len(subjects), len(visits)
    rows: list[PftRecord] = []
    for j, v in enumerate(visits):
        pid = subjects[v.subject_index].patient_id
        if v.planned_pfts == 0:
            continue
        offset = int(rng.choice([-30, 30])) if j in window_edge else int(rng.integers(-29, 30))
        day = v.date + dt.timedelta(days=offset)
        for r in range(v.planned_pfts):
            fev1, fvc = _measure(rng, v.fev1_fvc, v.fvc)
            rows.append(_row(pid, day, fev1, fvc, "near_exam" if r == 0 else "same_day_repeat", v.exam_id))
    by_subject = [[v for v in visits if v.subject_index == s.index] for s in subjects]
    n_far = int(round(law.far_pfts_per_subject * n_subjects))
    for s_idx in rng.integers(0, n_subjects, n_far):
        own = by_subject[int(s_idx)]
        day = _far_date(rng, [v.date for v in own])
        fvc = float(np.mean([v.fvc for v in own]))
        fev1, fvc_m = _measure(rng, _trajectory_ratio(day, own), fvc)
        rows.append(_row(subjects[int(s_idx)].patient_id, day, fev1, fvc_m, "far"))
    for _ in range(_at_least(law.day31_pft_rate, n_subjects)):
        v = visits[int(rng.integers(0, n_exams))]
        day = v.date + dt.timedelta(days=int(rng.choice([-31, 31])))
        fev1, fvc = _measure(rng, v.fev1_fvc, v.fvc)
        rows.append(_row(subjects[v.subject_index].patient_id, day, fev1, fvc, "day31"))
    for pid in unknown_ids:
        for _ in range(int(rng.integers(1, 3))):
            day = law.first_date + dt.timedelta(days=int(rng.integers(0, (law.last_date - law.first_date).days)))
            fev1, fvc = _measure(rng, rng.uniform(0.35, 0.85), rng.uniform(2.2, 4.8))
            rows.append(_row(pid, day, fev1, fvc, UNKNOWN_PATIENT))
    for defect in PFT_DEFECTS:
        for n in range(_at_least(law.broken_pft_rate, n_subjects)):
            v = visits[int(rng.integers(0, n_exams))]
            day = v.date + dt.timedelta(days=int(rng.integers(-20, 21)))
            fev1, fvc = _measure(rng, v.fev1_fvc, v.fvc)
            source = _row(subjects[v.subject_index].patient_id, day, fev1, fvc, defect, v.exam_id)
            rows.append(_defect(source, defect, n))
    order = sorted(range(len(rows)), key=lambda r: (rows[r].patient_id, rows[r].date.isoformat(), r))
    return [rows[r] for r in order]
