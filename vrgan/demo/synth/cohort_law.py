"""The synthetic cohort: subjects, their visits (exams), FEV1/FVC trajectories and PFT rows.

Every planted property is an exact count, ``round(fraction * n)`` (at least 1 where the law says
so), assigned by a seeded permutation, so the truth tables can state exactly what is there.

Label law. Each subject follows one trajectory kind: ``all_non_copd`` (every exam FEV1/FVC >=
0.72), ``all_copd`` (every exam <= 0.68), ``worsening`` / ``improving`` (crosses 0.7 between the
first and last exam), or ``single`` (one exam, any value). True exam ratios never fall in (0.68,
0.72), and a PFT within 30 days of an exam measures the exam's ratio with a bounded error (at most
+-0.012, then rounding to 0.01 L), so the COPD label (FEV1/FVC < 0.70) read from any such PFT is the
exam's true label. Severity is ``clip((0.85 - ratio) / 0.55, 0, 1)``.

Timing law. Exams of one subject are 90..720 days apart, so a PFT within 30 days of an exam is
never within 30 days of another. The PFT rows themselves are drawn by :mod:`vrgan.demo.synth.pft_law`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from vrgan.demo.synth.pft_law import PftRecord, draw_pft_rows

__all__ = ["CohortLaw", "Subject", "Visit", "PftRecord", "exact_counts", "draw_cohort", "severity_from_ratio"]

COPD_THRESHOLD = 0.70
HEALTHY_RATIO, SEVERE_RATIO = 0.85, 0.30
STUDY_TYPES = ("PA+LL", "PA", "AP", "PA+PA+LL")
_FIRST_NAMES = {
    "M": ("JOHN", "ROBERT", "JAMES", "DAVID", "PAUL", "MARK"),
    "F": ("MARY", "LINDA", "SUSAN", "KAREN", "NANCY", "LISA"),
}
_LAST_NAMES = (
    "SMITH",
    "JONES",
    "BROWN",
    "TAYLOR",
    "MILLER",
    "DAVIS",
    "WILSON",
    "MOORE",
    "CLARK",
    "HALL",
    "YOUNG",
    "KING",
)


@dataclass(frozen=True)
class CohortLaw:
    """Fractions planted in the cohort (exact counts; see module docstring).

    Subject-level fractions are of all subjects; study types and missing PFTs of all exams;
    PFT-row defects per subject (``round(rate * n_subjects)``, at least 1 each).
    """

    single_exam_fraction: float = 0.15
    all_copd_fraction: float = 0.2
    all_non_copd_fraction: float = 0.2
    improving_fraction: float = 0.2  # of the crossing subjects
    transplant_fraction: float = 0.05  # of multi-exam subjects, at least 1
    max_exams: int = 6
    study_type_fractions: tuple[float, float, float, float] = (0.6, 0.3, 0.08, 0.02)  # STUDY_TYPES
    exam_without_pft_fraction: float = 0.1
    same_day_repeat_fraction: float = 0.08  # of near PFTs, at least 1
    window_edge_fraction: float = 0.05  # of near PFTs placed exactly 30 days away, at least 1
    far_pfts_per_subject: float = 0.8
    day31_pft_rate: float = 0.02  # far PFTs at exactly 31 days, per subject, at least 1
    unknown_patient_rate: float = 0.02  # patients with PFTs but no DICOM, per subject, at least 1
    broken_pft_rate: float = 0.02  # each PFT defect, per subject, at least 1
    first_date: dt.date = dt.date(2012, 1, 1)
    last_date: dt.date = dt.date(2017, 12, 31)


@dataclass(frozen=True)
class Subject:
    """One patient with DICOM exams."""

    index: int
    patient_id: str
    patient_name: str
    other_patient_id: str
    sex: str
    birth_date: dt.date
    height_cm: float
    fvc_predicted: float
    trajectory: str
    transplant_date: dt.date | None


@dataclass(frozen=True)
class Visit:
    """One exam (study) of a subject and the true lung function on its day."""

    subject_index: int
    visit_index: int
    exam_id: str
    date: dt.date
    fev1_fvc: float
    fvc: float
    severity: float
    study_type: str
    planned_pfts: int  # near PFT rows planted for this exam: 0, 1 or 2 (same day)


def severity_from_ratio(ratio: float) -> float:
    """Disease severity in [0, 1] from a true FEV1/FVC (0 at >= 0.85, 1 at <= 0.30), 6 decimals."""
    return round(float(np.clip((HEALTHY_RATIO - ratio) / (HEALTHY_RATIO - SEVERE_RATIO), 0.0, 1.0)), 6)


def exact_counts(n: int, fractions: dict[str, float], minimum: int = 0) -> dict[str, int]:
    """Split ``n`` items into labelled counts proportional to ``fractions`` (largest remainder).

    Parameters
    ----------
    n : int
    fractions : dict of str to float
        Need not sum to 1; they are normalised.
    minimum : int
        Lower bound per label, honoured while ``n`` allows it.

    Returns
    -------
    dict of str to int, summing to ``n``.
    """
    labels = list(fractions)
    weights = np.array([fractions[k] for k in labels], dtype=float)
    raw = n * weights / weights.sum()
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    for i in range(len(labels)):
        while counts[i] < minimum and counts.max() > minimum:
            counts[int(np.argmax(counts))] -= 1
            counts[i] += 1
    return dict(zip(labels, (int(c) for c in counts)))


def _at_least(rate: float, n: int, minimum: int = 1) -> int:
    return max(minimum, int(round(rate * n)))


def _labels(rng: np.random.Generator, counts: dict[str, int]) -> list[str]:
    labels = [label for label, count in counts.items() for _ in range(count)]
    return [labels[i] for i in rng.permutation(len(labels))]


def _nudge(ratio: float) -> float:
    """Keep true exam ratios out of (0.68, 0.72) and in [0.22, 0.92], 4 decimals."""
    ratio = float(np.clip(ratio, 0.22, 0.92))
    if 0.68 < ratio < 0.72:
        ratio = 0.68 if ratio < COPD_THRESHOLD else 0.72
    return round(ratio, 4)


def _visit_ratios(rng: np.random.Generator, kind: str, years: np.ndarray) -> list[float]:
    u = rng.uniform
    span = max(float(years[-1]), 1e-9)
    if kind == "single":
        return [_nudge(u(0.3, 0.9))]
    if kind == "all_non_copd":
        start, slope = u(0.74, 0.9), u(-0.02, 0.0)
        return [max(0.72, _nudge(start + slope * y + u(-0.01, 0.01))) for y in years]
    if kind == "all_copd":
        start, slope = u(0.3, 0.66), u(-0.04, 0.01)
        return [min(0.68, _nudge(start + slope * y + u(-0.01, 0.01))) for y in years]
    high, low = u(0.73, 0.86), u(0.35, 0.67)
    first, last = (high, low) if kind == "worsening" else (low, high)
    ratios = [_nudge(first + (last - first) * y / span + u(-0.02, 0.02)) for y in years]
    ratios[0] = max(ratios[0], 0.72) if kind == "worsening" else min(ratios[0], 0.68)
    ratios[-1] = min(ratios[-1], 0.68) if kind == "worsening" else max(ratios[-1], 0.72)
    return ratios


def _visit_dates(rng: np.random.Generator, n: int, law: CohortLaw) -> list[dt.date]:
    latest_start = (law.last_date - law.first_date).days - 90 * (n - 1)
    day = int(rng.integers(0, latest_start + 1))
    days = [day]
    for _ in range(n - 1):
        room = (law.last_date - law.first_date).days - days[-1] - 90 * (n - len(days) - 1)
        days.append(days[-1] + int(rng.integers(90, max(91, min(720, room) + 1))))
    return [law.first_date + dt.timedelta(days=d) for d in days]


def _unique_ids(rng: np.random.Generator, n: int) -> list[str]:
    ids: list[str] = []
    while len(ids) < n:
        candidate = f"{int(rng.integers(0, 10**7)):07d}"  # zero-padded MRNs: ids are strings
        if candidate not in ids:
            ids.append(candidate)
    return ids


def draw_cohort(
    n_subjects: int, rng: np.random.Generator, law: CohortLaw = CohortLaw()
) -> tuple[list[Subject], list[Visit], list[PftRecord], list[str]]:
    """Draw the cohort: subjects, exams and the PFT table.

    Parameters
    ----------
    n_subjects : int
        Patients with DICOM exams (at least 1).
    rng : numpy.random.Generator
    law : CohortLaw

    Returns
    -------
    subjects : list of Subject
    visits : list of Visit
        Sorted by subject, then date.
    pft_rows : list of PftRecord
        In pft.csv order (patient id, then date text; a defect row right after its source).
    unknown_patient_ids : list of str
        Patient ids that have PFT rows but no DICOM.

    Raises
    ------
    ValueError
        If ``n_subjects < 1``.
    """
    if n_subjects < 1:
        raise ValueError(f"n_subjects must be at least 1, got {n_subjects}")
    n_unknown = _at_least(law.unknown_patient_rate, n_subjects)
    ids = _unique_ids(rng, n_subjects + n_unknown)
    n_single = int(round(law.single_exam_fraction * n_subjects))
    kinds = ["single"] * n_single
    multi = exact_counts(
        n_subjects - n_single,
        {
            "all_copd": law.all_copd_fraction,
            "all_non_copd": law.all_non_copd_fraction,
            "worsening": (1 - law.all_copd_fraction - law.all_non_copd_fraction - law.single_exam_fraction)
            * (1 - law.improving_fraction),
            "improving": (1 - law.all_copd_fraction - law.all_non_copd_fraction - law.single_exam_fraction)
            * law.improving_fraction,
        },
    )
    kinds = kinds + _labels(rng, multi)
    kinds = [kinds[i] for i in rng.permutation(n_subjects)]
    multi_idx = [i for i, k in enumerate(kinds) if k != "single"]
    n_transplant = min(len(multi_idx), _at_least(law.transplant_fraction, len(multi_idx)))
    transplanted = set(int(i) for i in rng.choice(multi_idx, n_transplant, replace=False)) if multi_idx else set()

    subjects: list[Subject] = []
    visits: list[Visit] = []
    for i, kind in enumerate(kinds):
        n_exams = 1 if kind == "single" else int(rng.integers(2, law.max_exams + 1))
        dates = _visit_dates(rng, n_exams, law)
        years = np.array([(d - dates[0]).days / 365.25 for d in dates])
        sex = "M" if rng.random() < 0.55 else "F"
        height = round(rng.normal(176 if sex == "M" else 163, 7), 1)
        age = rng.uniform(45, 80)
        predicted = (0.0600 * height - 0.0214 * age - 4.65) if sex == "M" else (0.0491 * height - 0.0216 * age - 3.59)
        birth = dates[0] - dt.timedelta(days=int(age * 365.25))
        transplant = None
        if i in transplanted:
            transplant = dates[0] + dt.timedelta(days=int(rng.integers(30, (dates[-1] - dates[0]).days + 365)))
        first, last = rng.choice(_FIRST_NAMES[sex]), rng.choice(_LAST_NAMES)
        subjects.append(
            Subject(
                i,
                ids[i],
                f"{last}^{first}",
                f"H{int(rng.integers(10**6, 10**7))}",
                sex,
                birth,
                height,
                round(float(predicted), 3),
                kind,
                transplant,
            )
        )
        for k, (day, ratio) in enumerate(zip(dates, _visit_ratios(rng, kind, years))):
            severity = severity_from_ratio(ratio)
            fvc = round(float(np.clip(predicted * (1 - 0.3 * severity) * rng.uniform(0.92, 1.05), 1.6, 6.0)), 3)
            visits.append(Visit(i, k, f"{ids[i]}-{k + 1}", day, ratio, fvc, severity, "", 1))

    n_exams = len(visits)
    types = _labels(
        rng, exact_counts(n_exams, dict(zip(STUDY_TYPES, law.study_type_fractions)), minimum=1 if n_exams >= 4 else 0)
    )
    no_pft = set(
        int(j) for j in rng.choice(n_exams, int(round(law.exam_without_pft_fraction * n_exams)), replace=False)
    )
    with_pft = [j for j in range(n_exams) if j not in no_pft]
    n_repeat = min(len(with_pft), _at_least(law.same_day_repeat_fraction, len(with_pft)))
    repeats = set(int(j) for j in rng.choice(with_pft, n_repeat, replace=False)) if with_pft else set()
    n_edge = min(len(with_pft), _at_least(law.window_edge_fraction, len(with_pft)))
    edges = set(int(j) for j in rng.choice(with_pft, n_edge, replace=False)) if with_pft else set()
    visits = [
        Visit(
            v.subject_index,
            v.visit_index,
            v.exam_id,
            v.date,
            v.fev1_fvc,
            v.fvc,
            v.severity,
            types[j],
            0 if j in no_pft else (2 if j in repeats else 1),
        )
        for j, v in enumerate(visits)
    ]

    rows = draw_pft_rows(subjects, visits, ids[n_subjects:], edges, rng, law)
    return subjects, visits, rows, ids[n_subjects:]
