"""The true disease effect: render_pair_truth against the export and the phantom's lung fields."""

import numpy as np
import pandas as pd
import pytest
from small_export import largest_severity_pair

from vrgan.demo.cli import main
from vrgan.demo.synth.acquisition import acquisition_from_record
from vrgan.demo.synth.figure import figure_subjects, read_decoded
from vrgan.demo.synth.phantom import lung_field_geometry, lung_fields, patient_coordinates
from vrgan.demo.synth.truth import load_truth, render_exam_truth, render_pair_truth


def test_pair_differs_only_inside_the_lung_fields(small_export):
    _, truth = small_export
    exam_a, exam_b = largest_severity_pair(truth)
    a, b = render_pair_truth(truth, exam_a, exam_b)
    acq = acquisition_from_record(truth.exams.loc[exam_a])
    assert a.dtype == np.int64 and a.shape == b.shape == acq.shape
    anatomy = truth.anatomies[truth.exams.loc[exam_a, "patient_id"]]
    rows, cols = patient_coordinates(acq.shape, acq.pose)
    fields = lung_field_geometry(anatomy, "PA")
    lungs = np.zeros(acq.shape, dtype=bool)
    for exam in (exam_a, exam_b):
        lungs |= lung_fields(fields, float(truth.exams.loc[exam, "severity"]), rows, cols)[0] > 0
    delta = b - a
    assert np.all(delta[~lungs] == 0)
    assert np.all(delta[np.abs(cols) < anatomy.spine_half_width] == 0)
    assert np.all(delta[:, 0] == 0) and np.all(delta[-1] == 0)
    assert np.count_nonzero(delta) > 0.5 * lungs.sum()
    assert delta[lungs].mean() < 0  # exam b is the more severe: darker lungs, lower diaphragm


def test_pair_of_an_exam_with_itself_is_identical_and_b_is_a_rendering_of_b(small_export):
    _, truth = small_export
    exam_a, exam_b = largest_severity_pair(truth)
    a, a_again = render_pair_truth(truth, exam_a, exam_a)
    np.testing.assert_array_equal(a, a_again)
    _, b = render_pair_truth(truth, exam_a, exam_b)
    b_direct = render_exam_truth(truth, exam_a, severity=float(truth.exams.loc[exam_b, "severity"]))
    np.testing.assert_array_equal(b, b_direct)
    float_a, _ = render_pair_truth(truth, exam_a, exam_b, quantize=False)
    slope = int(truth.exams.loc[exam_a, "rescale_slope"])
    assert np.abs(float_a - a).max() <= 0.5 * slope + 1e-9


def test_truth_rendering_is_the_noise_free_file(small_export):
    out, truth = small_export
    ok = truth.files[truth.files.expected_status == "ok"]
    rescaled = (ok.rescale_slope != 1) | (ok.rescale_intercept != 0)
    picks = [
        ok[(ok.photometric == "MONOCHROME1") & (ok.view == "PA")].iloc[0],
        ok[(ok.photometric == "MONOCHROME2") & ~rescaled & (ok.view == "PA")].iloc[0],
        ok[rescaled].iloc[0],
        ok[ok.view == "LL"].iloc[0],
    ]
    for row in picks:
        decoded = read_decoded(out / "dicom" / row.path)
        clean = render_exam_truth(truth, row.exam_id, image=row.sop_instance_uid)
        scale = (2 ** int(row.bits_stored) - 1) * int(row.rescale_slope)
        residual = (decoded - clean) / scale
        assert abs(residual.mean()) < 0.002 and residual.std() < 3 * float(row.noise_sigma), row.path
        assert np.corrcoef(decoded.ravel(), clean.ravel())[0, 1] > 0.99


def test_errors_name_the_problem(small_export):
    out, truth = small_export
    exams = truth.exams
    patients = exams.patient_id.unique()
    first = exams[exams.patient_id == patients[0]].exam_id.iloc[0]
    other = exams[exams.patient_id == patients[1]].exam_id.iloc[0]
    with pytest.raises(ValueError, match="different subjects"):
        render_pair_truth(truth, first, other)
    with pytest.raises(KeyError, match="unknown exam_id"):
        render_pair_truth(truth, first, "no-such-exam")
    without_pa = exams[exams.n_ok_pa == 0]
    if len(without_pa):
        with pytest.raises(ValueError, match="no ok PA image"):
            render_exam_truth(truth, without_pa.exam_id.iloc[0])
    assert load_truth(out / "truth").summary == truth.summary


def test_figure_has_one_row_per_subject(small_export):
    out, _ = small_export
    fig = figure_subjects(out, n_subjects=2, max_visits=3)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(fig.axes) == 6 and titled and all("FEV1/FVC" in ax.get_title() for ax in titled)


def test_cli_writes_an_export_and_refuses_to_overwrite(tmp_path, capsys):
    args = ["synth-export", str(tmp_path / "cli"), "--subjects", "2", "--seed", "4", "--size", "40", "--no-progress"]
    assert main(args) == 0
    assert (tmp_path / "cli" / "truth" / "summary.json").exists()
    assert pd.read_csv(tmp_path / "cli" / "pft.csv").columns.tolist() == ["patient_id", "date", "fev1", "fvc"]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2 and "overwrite" in capsys.readouterr().err
    assert main(args + ["--overwrite"]) == 0
