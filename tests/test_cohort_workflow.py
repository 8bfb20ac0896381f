"""The cohort stages through the real snakemake CLI, on a fixture export built here, and on a
small synthetic demo export against its truth.

Also the privacy check: unique strings planted in every identifying tag, the original
Patient IDs (also in the folder names), the UIDs and the true dates must not appear in any
byte under results/ (tables, logs, figure) or in snakemake's own logs.
"""

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from cohort_export import build_hostile_export, build_standard_export
from workflow import copy_workflow, snakemake, tiny_config, write_config

from vrgan.cohort import ImageCache

TARGETS = [
    "results/cohort/flow.csv",
    "results/cohort/flow.png",
    "results/cohort/pairs.parquet",
    "results/cohort/splits.csv",
]
ROOT_NAME = "export ZQROOT DOE^JANE"  # searched for in results/, the logs and the terminal
STAGES = ["cohort_ingest", "cohort_pft", "cohort_match", "cohort_filter", "cohort_split", "cohort_flow"]
pytestmark = pytest.mark.workflow


def make_workdir(tmp: Path, export_root: Path | None, synth: dict | None = None, **cohort) -> Path:
    """The workflow in ``tmp/wf`` with the tiny config pointing at ``export_root`` (None: the demo
    export, made by rule synth_export with the ``synth`` settings)."""
    config = tiny_config()
    if export_root is not None:
        config["cohort"].update(
            source="export",
            dicom_dir=str(export_root / "dicom"),
            pft_csv=str(export_root / "pft.csv"),
            transplants_csv=str(export_root / "transplants.csv"),
        )
        # an export has no true disease effect: no supervised ceiling on it (refused at load)
        config["xray"]["training"]["methods"] = ["vrgan", "vagan"]
    config["synth"].update(synth or {})
    config["cohort"]["split"].update(validation_fraction=0.34, test_fraction=0.34)
    config["cohort"].update(cohort)
    return copy_workflow(tmp / "wf", config)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cohort_workflow")
    export = build_hostile_export(tmp / ROOT_NAME)  # the export's own folder is named after a patient
    work = make_workdir(tmp, export.root)
    done = snakemake(work, *TARGETS)
    assert done.returncode == 0, done.stderr[-3000:]
    return export, work, done


def test_outputs_exist_with_their_summaries(run):
    _, work, _ = run
    cohort_dir = work / "results" / "cohort"
    for name in ("ingest", "pft", "matches", "cohort", "splits", "flow"):
        assert (cohort_dir / f"{name}.json").is_file(), name
    for name in (
        "ingest.parquet",
        "pft.parquet",
        "pft_rejected.csv",
        "matches.parquet",
        "extra_images.csv",
        "unmatched.csv",
        "cohort.parquet",
        "splits.csv",
        "pairs.parquet",
        "flow.csv",
        "flow.png",
    ):
        assert (cohort_dir / name).is_file(), name
    for stage in ("ingest", "pft", "match", "filter", "split", "flow"):
        assert (work / "results" / "logs" / "cohort" / f"{stage}.log").is_file(), stage
    counts = json.loads((cohort_dir / "cohort.json").read_text())["counts"]
    assert (counts["transplant_ids_listed"], counts["transplant_ids_matching_no_patient"]) == (1, 0)


def test_every_file_has_a_row_and_the_cohort_images_load(run):
    export, work, _ = run
    ingest = pd.read_parquet(work / "results/cohort/ingest.parquet")
    assert len(ingest) == len(export.files) and ingest["file_key"].is_unique
    expected = pd.Series([f["expected_status"] for f in export.files]).value_counts().sort_index()
    assert ingest["status"].value_counts().sort_index().to_dict() == expected.to_dict()
    cohort = pd.read_parquet(work / "results/cohort/cohort.parquet")
    pairs = pd.read_parquet(work / "results/cohort/pairs.parquet")
    cache = ImageCache(work / "results/cohort/images")
    for key in pd.concat([cohort["image_key"], pairs["x_image_key"], pairs["x_prime_image_key"]]):
        image = cache.load(key)
        assert image.dtype == np.float32 and image.ndim == 2
    assert set(pairs["x_exam_key"]) | set(pairs["x_prime_exam_key"]) <= set(cohort["exam_key"])


def test_no_identifier_or_true_date_reaches_results_or_logs(run):
    """On the hostile export (``build_hostile_export``): PHI in folder names and free-text tags,
    a Latin-1 file name, zero-led UIDs, a burned-in annotation, broken and looping links; the
    export's own folder (the configured paths) named after a patient."""
    export, work, done = run
    needles = set(export.secrets) | {"19230405", "ZQROOT"}
    needles |= {d.strftime("%Y%m%d") for d in export.true_dates} | {d.isoformat() for d in export.true_dates}
    key_hex = (work / ".vrgan-key").read_text().strip()
    needles.add(key_hex)
    assert len(needles) > 150
    export_bytes = b"".join(p.read_bytes() for p in export.root.rglob("*") if p.is_file())
    export_bytes += b"".join(os.fsencode(p) for p in export.root.rglob("*"))
    assert all(n.encode() in export_bytes for n in export.secrets), "the planted strings must be in the export"
    assert all(
        d.strftime("%Y%m%d").encode() in export_bytes or d.isoformat().encode() in export_bytes
        for d in export.true_dates
    )
    terminal = (done.stdout + done.stderr).encode()
    leaks = [n for n in needles if n.encode() in terminal]
    assert not leaks, f"the terminal shows {leaks[:5]}"
    searched = 0
    for folder in (work / "results", work / ".snakemake" / "log"):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                searched += 1
                leaks = [n for n in needles if n.encode() in data]
                assert not leaks, f"{path.relative_to(work)} holds {leaks[:5]}"
    assert searched > 20
    assert not list((work / "results").rglob("*vrgan-key*"))


def test_a_lost_key_is_not_replaced_while_results_use_it(run):
    _, work, _ = run
    key = work / ".vrgan-key"
    key.rename(work / "key-backup")
    try:
        dry = snakemake(work, "--dry-run", *TARGETS)
        assert not key.exists(), "a new key was made"
    finally:
        (work / "key-backup").rename(key)
    assert dry.returncode != 0
    assert "key_file .vrgan-key does not exist, but results/cohort/ingest.json was made" in dry.stdout + dry.stderr
    assert "Restore the key file from your backup, or start over: delete results/" in dry.stdout + dry.stderr


RENAMED = {"patient_id": "MRN", "date": "Date", "fev1": "FEV1 (L)", "fvc": "FVC (L)"}


@pytest.mark.parametrize(
    ("change", "first_rerun"),
    [
        ({"max_rejected_fraction": 0.6}, "cohort_ingest"),
        ({"pft_columns": RENAMED, "pft_csv": "pft-renamed.csv"}, "cohort_pft"),
        ({"window_days": 20}, "cohort_match"),
        ({"copd_threshold": 0.6}, "cohort_filter"),
        ({"split": {"validation_fraction": 0.5, "test_fraction": 0.5, "seed": 1}}, "cohort_split"),
    ],
)
def test_a_config_change_reruns_its_stage_and_after_only(run, change, first_rerun):
    export, work, _ = run
    pft = pd.read_csv(export.root / "pft.csv", dtype=str, keep_default_na=False)
    pft.rename(columns={role: name for role, name in RENAMED.items()}).to_csv(work / "pft-renamed.csv", index=False)
    original = (work / "config.yaml").read_text()
    config = yaml.safe_load(original)
    config["cohort"].update(change)
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    try:
        dry = snakemake(work, "--dry-run", *TARGETS)
    finally:
        (work / "config.yaml").write_text(original)
    assert dry.returncode == 0, (dry.stdout + dry.stderr)[-2000:]
    planned = {rule for rule in STAGES if f"rule {rule}:" in dry.stdout + dry.stderr}
    assert planned == set(STAGES[STAGES.index(first_rerun) :])


def test_a_file_added_or_touched_deep_in_the_export_reruns_the_ingest(run):
    """The ingest's param is a fingerprint of the whole tree (a folder's own time stamp changes
    only with its direct entries): a new file two folders down, or a file with a new time stamp,
    reruns every stage; undoing the change reruns nothing."""
    export, work, _ = run
    dicom = export.root / "dicom"
    folder, file = next(
        (Path(top), Path(top) / name) for top, _, names in sorted(os.walk(dicom)) for name in sorted(names)
        if Path(top) != dicom and (Path(top) / name).suffix == ".dcm"
    )  # fmt: skip

    def planned() -> set[str]:
        dry = snakemake(work, "--dry-run", *TARGETS)
        assert dry.returncode == 0, (dry.stdout + dry.stderr)[-2000:]
        return {rule for rule in STAGES if f"rule {rule}:" in dry.stdout + dry.stderr}

    copy = folder / "added-later.dcm"
    copy.write_bytes(file.read_bytes())
    try:
        assert planned() == set(STAGES)
    finally:
        copy.unlink()
    assert planned() == set()
    before = file.stat()
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    try:
        assert planned() == set(STAGES)
    finally:
        os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert planned() == set()


@pytest.mark.parametrize("sort_keys", [True, False])
def test_reordering_keys_reruns_nothing(run, sort_keys):
    """Params compare by repr: the order of keys in config.yaml (sorted by a YAML dump, or the
    privacy section reversed by hand) must not look like a change."""
    _, work, _ = run
    original = (work / "config.yaml").read_text()
    config = yaml.safe_load(original)
    config["cohort"]["privacy"] = dict(reversed(config["cohort"]["privacy"].items()))
    (work / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=sort_keys))
    try:
        dry = snakemake(work, "--dry-run", *TARGETS)
    finally:
        (work / "config.yaml").write_text(original)
    assert dry.returncode == 0, (dry.stdout + dry.stderr)[-2000:]
    assert "Nothing to be done" in dry.stdout + dry.stderr, (dry.stdout + dry.stderr)[-3000:]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dicom_dir": "/nonexistent/dicom"}, r"cohort\.dicom_dir /nonexistent/dicom is not an existing directory"),
        ({"pft_csv": "/nonexistent/pft.csv"}, r"cohort\.pft_csv /nonexistent/pft\.csv does not exist"),
        (
            {"pft_columns": {"patient_id": "patient_id", "date": "date", "fev1": "FEV1", "fvc": "fvc"}},
            r"lacks required column\(s\) 'FEV1' \(for fev1\)",
        ),
        ({"window_days": "thirty"}, r"window_days"),
        ({"pft_date_format": "%d/%m"}, r"cohort\.pft_date_format '%d/%m' is not 'iso' or a strptime format"),
        (
            {"privacy": {**tiny_config()["cohort"]["privacy"], "key_file": "results/.vrgan-key"}},
            r"cohort\.privacy\.key_file results/\.vrgan-key lies under results/",
        ),
    ],
)
def test_bad_config_stops_before_any_work(tmp_path, change, message):
    import re

    export = build_standard_export(tmp_path / "export")
    work = make_workdir(tmp_path, export.root, **change)
    done = snakemake(work, *TARGETS)
    assert done.returncode != 0
    assert re.search(message, done.stdout + done.stderr), (done.stdout + done.stderr)[-2000:]
    assert not (work / "results").exists()


def test_the_export_template_plans_no_demo_and_no_toy_job(tmp_path):
    """configs/export.yaml: as shipped it stops at load on its placeholder paths; with the paths
    filled in, rule all plans the cohort and x-ray stages only (no synthetic export, no toy)."""
    import re

    from workflow import REPO, deep_update

    template = yaml.safe_load((REPO / "configs/export.yaml").read_text())
    work = copy_workflow(tmp_path / "wf", deep_update(tiny_config(), template))
    done = snakemake(work, "--dry-run")
    assert done.returncode != 0
    assert "cohort.dicom_dir /path/to/export/dicom is not an existing directory" in done.stdout + done.stderr
    export = build_standard_export(tmp_path / "export")
    paths = {"dicom_dir": str(export.root / "dicom"), "pft_csv": str(export.root / "pft.csv")}
    write_config(work, deep_update(tiny_config(), deep_update(template, {"cohort": paths})))
    dry = snakemake(work, "--dry-run")
    assert dry.returncode == 0, (dry.stdout + dry.stderr)[-3000:]
    planned = set(re.findall(r"^rule (\w+):", dry.stdout + dry.stderr, re.MULTILINE))
    assert not {rule for rule in planned if rule.startswith(("synth_", "toy_"))}, sorted(planned)
    assert {"cohort_ingest", "xray_train", "xray_counterfactual", "report"} <= planned, sorted(planned)


def test_too_many_rejected_files_stop_the_ingest_with_reasons(tmp_path):
    export = build_standard_export(tmp_path / "export")
    work = make_workdir(tmp_path, export.root, max_rejected_fraction=0.1)
    done = snakemake(work, "results/cohort/ingest.parquet")
    assert done.returncode != 0
    log = (work / "results/logs/cohort/ingest.log").read_text()
    assert "7 of 26 files rejected" in log and "not_dicom: 1" in log and "truncated: 1" in log
    assert not (work / "results/cohort/ingest.parquet").exists()


def test_demo_export_flow_agrees_with_its_truth(tiny_run):
    """synth_export -> every cohort stage -> flow_vs_truth, on the tiny demo export (the complete
    run shared by the workflow tests)."""
    work = tiny_run
    table = pd.read_csv(work / "results/cohort/flow_vs_truth.csv")
    compared = table[table["result"] != "not_compared"]
    assert len(compared) > 60 and (compared["result"] == "agree").all()
    assert table.loc[table["result"] == "not_compared", "note"].notna().all()
    assert compared[["expected", "observed"]].notna().all().all()
    by_check = compared.set_index("check")
    assert by_check.loc["files with the expected status", "observed"] == by_check.loc["files", "expected"]
    assert by_check.loc["validation and test subjects with all their pairs", "expected"] > 0


def test_a_disagreement_with_the_demo_truth_fails_the_rule(tiny_run, tmp_path):
    """A cohort stage that counts differently (here a 20-day window) fails flow_vs_truth, naming the
    checks (in a copy of the shared tiny run: the cohort stages from the matching on rerun)."""
    work = shutil.copytree(tiny_run, tmp_path / "wf", symlinks=True)
    config = yaml.safe_load((work / "config.yaml").read_text())
    config["cohort"]["window_days"] = 20
    write_config(work, config)
    done = snakemake(work, "results/cohort/flow_vs_truth.csv", cores=1)
    assert done.returncode != 0
    log = (work / "results/logs/cohort/flow_vs_truth.log").read_text()
    assert "checks disagree with truth/: matched exams (expected" in log
    assert "PA exams matched at their nearest ok PFT's distance, or unmatched" in log
    assert not (work / "results/cohort/flow_vs_truth.csv").exists()
