"""Cohort flow and its comparison with a demo export's truth/ (vrgan.cohort.flow)."""

import json

import pandas as pd
import pytest
from cohort_export import build_standard_export

from vrgan.cohort import (
    Pseudonymizer,
    build_cohort,
    build_flow,
    clean_pfts,
    compare_flow_with_truth,
    draw_flow,
    ingest_export,
    make_pairs,
    match_exams,
    read_pft_csv,
    read_transplant_patients,
    select_pa_exams,
    split_subjects,
)

PSEUDO = Pseudonymizer(b"f" * 32)
COLUMNS = {"patient_id": "patient_id", "date": "date", "fev1": "fev1", "fvc": "fvc"}


@pytest.fixture(scope="module")
def stages(tmp_path_factory):
    """Every cohort stage on the standard fixture export, in process."""
    tmp = tmp_path_factory.mktemp("flow")
    export = build_standard_export(tmp / "export")
    ingest = ingest_export(export.root / "dicom", tmp / "images", PSEUDO)
    pft, rejected = clean_pfts(
        read_pft_csv(export.root / "pft.csv", COLUMNS), set(ingest["patient_key"].dropna()), PSEUDO
    )
    exams, _, extra = select_pa_exams(ingest)
    matches, unmatched = match_exams(exams, pft, 30)
    transplant = {PSEUDO.patient(i) for i in read_transplant_patients(export.root / "transplants.csv", "patient_id")}
    cohort, excluded = build_cohort(matches, exams, pft, transplant)
    splits = split_subjects(cohort, 0.34, 0.34, rng=0)
    pairs = make_pairs(cohort, splits)
    flow = build_flow(ingest, pft, rejected, extra, unmatched, matches, len(excluded), cohort, splits, pairs)
    return {
        "export": export,
        "ingest": ingest,
        "rejected": rejected,
        "flow": flow,
        "tmp": tmp,
        "cohort": cohort,
        "matches": matches,
    }


def count(flow, box, kind="count", reason=""):
    sel = (flow["box"] == box) & (flow["kind"] == kind) & (flow["reason"] == reason)
    return flow.loc[sel, "n"].tolist()


def test_flow_counts_every_step_and_reason(stages):
    flow = stages["flow"]
    assert count(flow, "files") == [26]
    assert count(flow, "decoded images") == [19]
    assert count(flow, "decoded images", "excluded", "duplicate") == [1]
    assert count(flow, "PA images") == [17]  # minus one AP and one lateral
    assert count(flow, "PA exams", "excluded", "extra_pa_image_in_study") == [1]
    assert count(flow, "PA exams") == [16]
    assert count(flow, "valid PFTs") == [17]
    assert count(flow, "matched exams") == [15]
    assert count(flow, "matched exams", "excluded", "no_pft_within_window") == [1]  # the 31-day PFT
    assert count(flow, "not lung transplant", "excluded", "lung_transplant_patient") == [2]
    assert count(flow, "subjects") == [7]
    assert count(flow, "pairs") == [4]
    cohort = stages["cohort"]
    assert cohort["exam_key"].is_unique and (cohort["view"] == "PA").all()
    assert (cohort["y"] == cohort["fev1"] / cohort["fvc"]).all()


def test_flow_agrees_with_the_hand_written_truth(stages):
    export = stages["export"]
    table = compare_flow_with_truth(stages["flow"], export.root / "truth", stages["ingest"], stages["rejected"], PSEUDO)
    assert table["agrees"].all(), table[~table["agrees"]]
    checks = set(table["check"])
    assert {
        "files",
        "files_by_status.truncated",
        "pft_rows_by_status.unknown_patient",
        "files with the expected status",
        "ok files with the expected view",
        "PFT rows with the expected status",
    } <= checks


def test_comparison_reports_disagreements_and_unknown_summary_keys(stages, tmp_path):
    truth = tmp_path / "truth"
    truth.mkdir()
    files = pd.read_csv(stages["export"].root / "truth" / "files.csv", dtype=str, keep_default_na=False)
    files.loc[files["path"] == "junk/README", "expected_status"] = "truncated"
    files.to_csv(truth / "files.csv", index=False)
    pd.read_csv(stages["export"].root / "truth" / "pft_rows.csv").to_csv(truth / "pft_rows.csv", index=False)
    (truth / "summary.json").write_text(json.dumps({"n_patients": 12, "nested": {"files": 26}}))
    table = compare_flow_with_truth(stages["flow"], truth, stages["ingest"], stages["rejected"], PSEUDO).set_index(
        "check"
    )
    assert not table.loc["files_by_status.not_dicom", "agrees"]
    assert table.loc["files with the expected status", "observed"] == len(files) - 1
    assert pd.isna(table.loc["n_patients", "agrees"])


def test_flow_figure_is_written(stages):
    path = stages["tmp"] / "flow.png"
    draw_flow(stages["flow"], path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
