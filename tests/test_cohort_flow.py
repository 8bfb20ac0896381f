"""Cohort flow and its comparison with a demo export's truth/ (vrgan.cohort.flow)."""

import json
import shutil

import pandas as pd
import pytest
from cohort_export import build_standard_export

from vrgan.cohort import (
    Pseudonymizer,
    build_cohort,
    build_flow,
    clean_pfts,
    draw_flow,
    ingest_export,
    make_pairs,
    match_exams,
    read_pft_csv,
    read_transplant_patients,
    select_pa_exams,
    split_subjects,
)
from vrgan.demo import FlowDisagreesWithTruth, check_agreement, compare_flow_with_truth
from vrgan.cohort.transplants import match_transplant_ids

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
    listed = read_transplant_patients(export.root / "transplants.csv", "patient_id")
    transplant = match_transplant_ids(listed, set(ingest["patient_key"].dropna()), PSEUDO)
    cohort, excluded = build_cohort(matches, exams, pft, transplant.patient_keys)
    splits = split_subjects(cohort, 0.34, 0.34, rng=0)
    pairs = make_pairs(cohort, splits)
    flow = build_flow(
        ingest, pft, rejected, extra, unmatched, matches, len(excluded), cohort, splits, pairs, transplant.counts()
    )
    return {
        "export": export,
        "ingest": ingest,
        "pft_rejected": rejected,
        "flow": flow,
        "tmp": tmp,
        "cohort": cohort,
        "matches": matches,
        "splits": splits,
        "pairs": pairs,
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
    assert count(flow, "not lung transplant", "branch", "transplant_ids_listed") == [1]
    assert count(flow, "not lung transplant", "branch", "transplant_ids_matching_no_patient") == [0]
    assert count(flow, "subjects") == [7]
    assert count(flow, "pairs") == [4]
    cohort = stages["cohort"]
    assert cohort["exam_key"].is_unique and (cohort["view"] == "PA").all()
    assert (cohort["y"] == cohort["fev1"] / cohort["fvc"]).all()


def compare(stages, truth_dir):
    tables = {name: stages[name] for name in ("ingest", "pft_rejected", "matches", "cohort", "splits", "pairs")}
    return compare_flow_with_truth(stages["flow"], truth_dir, tables, PSEUDO)


def test_flow_agrees_with_the_hand_written_truth(stages):
    table = compare(stages, stages["export"].root / "truth")
    assert (table["result"] == "agree").all(), table[table["result"] != "agree"]
    check_agreement(table)
    checks = set(table["check"])
    assert {
        "files",
        "decoded images: excluded truncated (files)",
        "PA images: branch view_source_ViewCodeSequence (images)",
        "PA exams: excluded extra_pa_image_in_study (images)",
        "valid PFTs: excluded unknown_patient (pft rows)",
        "matched exams: excluded no_pft_within_window (exams)",
        "not lung transplant: excluded lung_transplant_patient (exams)",
        "subjects: branch possible_pairs (pairs)",
        "files with the expected status",
        "decoded images with the expected view_source",
        "PFT rows with the expected status",
        "PA exams matched at their nearest ok PFT's distance, or unmatched",
        "validation and test subjects with all their pairs",
    } <= checks
    assert table.loc[table["check"] == "files with the expected status", "observed"].item() == 26


def test_disagreements_and_unused_summary_counts_are_reported(stages, tmp_path):
    truth = tmp_path / "truth"
    shutil.copytree(stages["export"].root / "truth", truth)
    files = pd.read_csv(truth / "files.csv", dtype=str, keep_default_na=False)
    files.loc[files["path"] == "junk/README", "expected_status"] = "truncated"
    files.to_csv(truth / "files.csv", index=False)
    summary = json.loads((truth / "summary.json").read_text())
    summary["files"]["by_status"] |= {"not_dicom": 0, "truncated": 2}
    summary["subjects"]["n_patients"] = 12
    (truth / "summary.json").write_text(json.dumps(summary))
    table = compare(stages, truth).set_index("check")
    assert table.loc["decoded images: excluded not_dicom (files)", "result"] == "disagree"
    assert table.loc["decoded images: excluded truncated (files)", ["expected", "observed"]].tolist() == [2, 1]
    status = table.loc["files with the expected status"]
    assert (status["expected"], status["observed"], status["result"]) == (26, 25, "disagree")
    assert "expected truncated, got not_dicom" in status["note"] and "README" not in status["note"]
    assert table.loc["subjects.n_patients", ["result", "note"]].tolist() == ["not_compared", "no flow counterpart"]
    assert set(table["result"]) == {"agree", "disagree", "not_compared"}
    with pytest.raises(FlowDisagreesWithTruth, match=r"3 of \d+ checks disagree .*not_dicom \(files\) \(expected 0"):
        check_agreement(table.reset_index())


def test_a_summary_without_a_needed_count_is_an_error(stages, tmp_path):
    truth = tmp_path / "truth"
    shutil.copytree(stages["export"].root / "truth", truth)
    summary = json.loads((truth / "summary.json").read_text())
    del summary["exams"]["matched"]
    (truth / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(ValueError, match=r"truth/summary.json lacks exams\.matched"):
        compare(stages, truth)


def test_flow_figure_is_written(stages):
    path = stages["tmp"] / "flow.png"
    draw_flow(stages["flow"], path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
