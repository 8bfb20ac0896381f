"""The phantom's true Δx in the preprocessed space (vrgan.demo.truth_maps), on a small synthetic export."""

import numpy as np
import pandas as pd
from small_export import largest_severity_pair

from vrgan.cohort import Pseudonymizer
from vrgan.preprocessing import centre_square_crop, preprocess_image, resize
from vrgan.demo.synth.acquisition import acquisition_from_record
from vrgan.demo.synth.figure import read_decoded
from vrgan.demo.synth.phantom import lung_field_geometry, lung_fields, patient_coordinates
from vrgan.demo.truth_maps import link_pairs_to_truth, truth_map

SIZE = 24


def reference_image(out, truth, exam):
    """The truth row of ``exam``'s reference file and its decoded pixels (float32)."""
    row = truth.files[truth.files.sop_instance_uid == truth.exams.loc[exam, "reference_sop_instance_uid"]].iloc[0]
    return row, read_decoded(out / "dicom" / row.path).astype(np.float32)


def test_truth_map_is_zero_outside_the_lungs_in_the_preprocessed_space(small_export):
    out, truth = small_export
    exam_a, exam_b = largest_severity_pair(truth)
    row, x = reference_image(out, truth, exam_a)
    delta, x_pre = truth_map(truth, x, exam_a, exam_b, row.sop_instance_uid, SIZE)
    assert delta.shape == (SIZE, SIZE) and delta.dtype == np.float32
    np.testing.assert_array_equal(x_pre, preprocess_image(x, SIZE)[0])  # x keeps its own preprocessing
    # the lung fields of both severities at full resolution, through the same crop and resize
    acq = acquisition_from_record(truth.exams.loc[exam_a])
    anatomy = truth.anatomies[truth.exams.loc[exam_a, "patient_id"]]
    rows, cols = patient_coordinates(acq.shape, acq.pose)
    fields = lung_field_geometry(anatomy, "PA")
    lungs = np.zeros(acq.shape)
    for exam in (exam_a, exam_b):
        lungs = np.maximum(lungs, lung_fields(fields, float(truth.exams.loc[exam, "severity"]), rows, cols)[0] > 0)
    reach = resize(centre_square_crop(lungs)[0], SIZE)
    outside = reach == 0
    assert outside.mean() > 0.3
    assert np.all(delta[outside] == 0)
    assert np.count_nonzero(delta[~outside]) > 0.3 * (~outside).sum()
    assert delta.sum() < 0  # the more severe exam: darker lungs, lower diaphragm


def test_a_pair_with_itself_has_a_zero_truth_map(small_export):
    out, truth = small_export
    exam_a, _ = largest_severity_pair(truth)
    row, x = reference_image(out, truth, exam_a)
    delta, _ = truth_map(truth, x, exam_a, exam_a, row.sop_instance_uid, SIZE)
    assert not delta.any()


def test_pairs_link_to_the_truth_through_the_pseudonymous_keys(small_export):
    _, truth = small_export
    pseudo = Pseudonymizer(b"k" * 32)
    exam_a, exam_b = largest_severity_pair(truth)
    image_a = truth.exams.loc[exam_a, "reference_sop_instance_uid"]
    image_b = truth.exams.loc[exam_b, "reference_sop_instance_uid"]
    pairs = pd.DataFrame(
        {
            "x_image_key": [pseudo.image(image_a), "unknown"],
            "x_prime_image_key": [pseudo.image(image_b), "other"],
            "x_prime_exam_key": [pseudo.exam(truth.exams.loc[exam_b, "study_uid"]), "nope"],
        }
    )
    links = link_pairs_to_truth(pairs, truth, pseudo)
    assert links.loc[0, ["exam_a", "image_a", "exam_b"]].tolist() == [exam_a, image_a, exam_b]
    assert links.loc[0, "pair_id"] == f"{pseudo.image(image_a)}_{pseudo.image(image_b)}"
    assert links.loc[1, ["exam_a", "image_a", "exam_b"]].isna().all()
