"""The cohort law: exact planted counts, label-preserving PFTs, timing, value ranges."""

import datetime as dt

import numpy as np
import pytest

from vrgan.demo.synth.cohort_law import CohortLaw, draw_cohort, exact_counts, severity_from_ratio

N = 60


@pytest.fixture(scope="module")
def cohort():
    return draw_cohort(N, np.random.default_rng(5))


def test_exact_counts_by_hand():
    assert exact_counts(10, {"a": 0.5, "b": 0.3, "c": 0.2}) == {"a": 5, "b": 3, "c": 2}
    assert exact_counts(7, {"a": 1, "b": 1}) == {"a": 4, "b": 3}
    assert exact_counts(3, {"a": 0.9, "b": 0.05, "c": 0.05}, minimum=1) == {"a": 1, "b": 1, "c": 1}


def test_severity_law_by_hand():
    assert severity_from_ratio(0.85) == 0.0 and severity_from_ratio(0.95) == 0.0
    assert severity_from_ratio(0.30) == 1.0 and severity_from_ratio(0.2) == 1.0
    assert severity_from_ratio(0.575) == 0.5


def test_subject_kinds_are_exact_counts(cohort):
    subjects, visits, _, unknown = cohort
    law = CohortLaw()
    kinds = [s.trajectory for s in subjects]
    assert kinds.count("single") == round(law.single_exam_fraction * N)
    n_exams = {s.index: sum(v.subject_index == s.index for v in visits) for s in subjects}
    assert all((n_exams[s.index] == 1) == (s.trajectory == "single") for s in subjects)
    assert sum(s.transplant_date is not None for s in subjects) == round(
        law.transplant_fraction * (N - kinds.count("single"))
    )
    assert len(unknown) == max(1, round(law.unknown_patient_rate * N))
    assert len({s.patient_id for s in subjects} | set(unknown)) == N + len(unknown)


def test_trajectories_keep_their_promise(cohort):
    subjects, visits, _, _ = cohort
    for s in subjects:
        ratios = [v.fev1_fvc for v in visits if v.subject_index == s.index]
        assert all(not 0.68 < r < 0.72 and 0.2 < r < 0.95 for r in ratios)
        copd = [r < 0.7 for r in ratios]
        if s.trajectory == "all_copd":
            assert all(copd)
        if s.trajectory == "all_non_copd":
            assert not any(copd)
        if s.trajectory == "worsening":
            assert not copd[0] and copd[-1]
        if s.trajectory == "improving":
            assert copd[0] and not copd[-1]
    assert sum(s.trajectory in ("worsening", "improving") for s in subjects) >= N // 4


def test_visit_timing_and_lung_volumes(cohort):
    subjects, visits, _, _ = cohort
    for s in subjects:
        dates = [v.date for v in visits if v.subject_index == s.index]
        assert all((b - a).days >= 90 for a, b in zip(dates, dates[1:]))
        assert dt.date(2012, 1, 1) <= dates[0] and dates[-1] <= dt.date(2017, 12, 31)
    assert all(1.6 <= v.fvc <= 6.0 for v in visits)
    assert 2.0 < np.median([v.fvc for v in visits]) < 5.0


def test_pft_rows_near_an_exam_carry_its_label(cohort):
    subjects, visits, rows, _ = cohort
    by_id = {v.exam_id: v for v in visits}
    near = [r for r in rows if r.kind in ("near_exam", "same_day_repeat")]
    assert len(near) == sum(v.planned_pfts for v in visits)
    for r in near:
        exam = by_id[r.exam_id]
        assert abs((r.date - exam.date).days) <= 30
        assert (float(r.fev1_text) / float(r.fvc_text) < 0.7) == (exam.fev1_fvc < 0.7)
    assert sum(abs((r.date - by_id[r.exam_id].date).days) == 30 for r in near) >= 1
    pid = {s.index: s.patient_id for s in subjects}
    for r in rows:
        if r.kind in ("far", "day31"):
            distances = [abs((r.date - v.date).days) for v in visits if pid[v.subject_index] == r.patient_id]
            assert min(distances) == 31 if r.kind == "day31" else min(distances) >= 45


def test_each_defect_row_is_broken_the_way_its_status_says(cohort):
    _, _, rows, _ = cohort
    statuses = {}
    for r in rows:
        statuses[r.expected_status] = statuses.get(r.expected_status, 0) + 1
        if r.expected_status in ("ok", "unknown_patient"):
            dt.date.fromisoformat(r.date_text)
            assert 0.2 < float(r.fev1_text) / float(r.fvc_text) < 0.95
        elif r.expected_status == "missing_value":
            assert (r.fev1_text == "") != (r.fvc_text == "")
        elif r.expected_status == "fev1_gt_fvc":
            assert float(r.fev1_text) > float(r.fvc_text)
        elif r.expected_status == "ratio_out_of_range":
            assert 0 < float(r.fev1_text) / float(r.fvc_text) < 0.01
        elif r.expected_status == "unparsable_date":
            with pytest.raises(ValueError):
                dt.date.fromisoformat(r.date_text)
    for defect in ("missing_value", "fev1_gt_fvc", "ratio_out_of_range", "unparsable_date"):
        assert statuses[defect] == max(1, round(CohortLaw().broken_pft_rate * N))
    same_day = [(r.patient_id, r.date_text) for r in rows if r.kind == "same_day_repeat"]
    assert same_day and all(sum((q.patient_id, q.date_text) == key for q in rows) >= 2 for key in same_day)


def test_rejects_an_empty_cohort():
    with pytest.raises(ValueError, match="n_subjects must be at least 1"):
        draw_cohort(0, np.random.default_rng(0))
