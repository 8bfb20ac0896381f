"""The x-ray study through the real snakemake CLI on the tiny config: demo export -> cohort -> x-ray
datasets -> xray_train (method x seed) -> xray_evaluate, xray_baselines -> xray_summary, xray_figures."""

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from vrgan.metrics import ncc
from vrgan.training import load_generator, predict_maps
from vrgan.training.device import resolve_precision
from workflow import copy_workflow, snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow
X = "results/xray"
TARGETS = [f"{X}/{name}" for name in ("ncc.csv", "summary.csv", "summary_truth.csv", "training_curves.png",
                                      "figure_attribution.png", "figure_severity.png", "counterfactual.csv")]
RUNS = [(m, s) for m in ("vrgan", "vagan", "supervised") for s in (0, 1)]
PER_PAIR = [
    "pair", "pair_id", "y", "y_prime", "registration_status",
    "ncc_registration", "ncc_registration_specific", "ncc_registration_overlap",
    "ncc_truth", "ncc_truth_specific", "ncc_truth_overlap",
]  # fmt: skip


@pytest.fixture(scope="module")
def run(tiny_run):
    """The complete tiny run shared by the workflow tests (conftest.py)."""
    return tiny_run


def dry_run_with(work, change):
    """A dry run of TARGETS with the config changed by ``change(config)``; the config is restored."""
    original = (work / "config.yaml").read_text()
    config = yaml.safe_load(original)
    change(config)
    (work / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    try:
        done = snakemake(work, "--dry-run", *TARGETS)
    finally:
        (work / "config.yaml").write_text(original)
    return done.returncode, done.stdout + done.stderr


def test_every_run_is_trained_and_scored_per_test_pair(run):
    test = np.load(run / f"{X}/data/test_pairs.npz")
    for method, seed in RUNS:
        train_dir = run / f"{X}/train/{method}/seed{seed}"
        assert (train_dir / "best.pt").is_file() and (train_dir / "history.png").stat().st_size > 0
        assert not (train_dir / "last.pt").exists()
        assert pd.read_csv(train_dir / "history.csv")["epoch"].iloc[0] == 0
        per_pair = pd.read_csv(run / f"{X}/{method}/seed{seed}/test_ncc.csv")
        assert list(per_pair.columns) == PER_PAIR
        assert per_pair["pair_id"].tolist() == test["pair_id"].tolist()
        assert per_pair["registration_status"].tolist() == test["registration_status"].tolist()
        np.testing.assert_allclose(per_pair["y_prime"], test["y_prime"])
        assert per_pair.filter(like="ncc_").stack().between(-1, 1).all()
    baselines = pd.read_csv(run / f"{X}/baselines/test_ncc.csv")
    assert set(baselines["method"]) == {"negative_image", "mean_validation_map"}  # no toy ring on x-rays
    assert list(baselines.columns) == ["method", *PER_PAIR]


def test_the_checkpoint_is_the_best_validation_ncc_against_the_registration(run):
    val = np.load(run / f"{X}/data/val_pairs.npz")
    state = torch.load(run / f"{X}/train/vrgan/seed0/best.pt", weights_only=False)
    generator, settings = load_generator(run / f"{X}/train/vrgan/seed0/best.pt")
    dtype = resolve_precision(settings.precision, torch.device("cpu"))
    maps = predict_maps(generator, val["x"], val["y"], val["y_prime"], torch.device("cpu"), dtype)
    assert np.nanmean(ncc(maps, val["target_registration"])) == pytest.approx(state["val_ncc"], abs=1e-6)
    history = pd.read_csv(run / f"{X}/train/vrgan/seed0/history.csv")
    assert state["val_ncc"] == pytest.approx(history["val_ncc"].max())
    assert settings.threshold == 0.7 and settings.generator.base_channels == 4


def test_summaries_against_registration_and_phantom_truth_for_all_and_not_failed_pairs(run):
    seeds = pd.read_csv(run / f"{X}/ncc.csv")
    assert list(seeds.columns) == [
        "method", "seed", "target", "pairs", "ncc", "n_pairs", "n_undefined", "ncc_specific", "ncc_overlap"
    ]
    methods = ["vrgan", "vagan", "supervised", "negative_image", "mean_validation_map"]
    assert len(seeds) == 2 * 2 * (len(RUNS) + 2) and set(seeds["method"]) == set(methods)
    for target, name in (("registration", "summary.csv"), ("truth", "summary_truth.csv")):
        summary = pd.read_csv(run / f"{X}/{name}")
        assert list(summary.columns) == [
            "method", "kind", "pairs", "n_seeds", "n_pairs", "mean", "std",
            "specific_mean", "specific_std", "overlap_mean", "overlap_std",
        ]  # fmt: skip
        assert list(zip(summary["pairs"], summary["method"])) == [(p, m) for p in ("all", "not_failed") for m in methods]
        for method in ("vrgan", "vagan", "supervised"):
            row = summary[(summary["method"] == method) & (summary["pairs"] == "all")].iloc[0]
            per_seed = [pd.read_csv(run / f"{X}/{method}/seed{s}/test_ncc.csv")[f"ncc_{target}"].mean() for s in (0, 1)]
            assert row["n_seeds"] == 2 and row["mean"] == pytest.approx(np.mean(per_seed))
            assert row["n_pairs"] == len(pd.read_csv(run / f"{X}/{method}/seed0/test_ncc.csv"))
            assert row["std"] == pytest.approx(np.std(per_seed, ddof=1))
        floor = summary[(summary["method"] == "mean_validation_map") & (summary["pairs"] == "all")].iloc[0]
        assert -1 <= floor["overlap_mean"] <= 1  # scored inside the registration overlap (NaN fails)
        if target == "registration":  # the map of the input-specific NCC's centre: exactly 0
            assert floor["specific_mean"] == 0.0
    status = np.load(run / f"{X}/data/test_pairs.npz")["registration_status"]
    kept = seeds[seeds["pairs"] == "not_failed"]
    assert (kept["n_pairs"] + kept["n_undefined"] == int((status != "failed").sum())).all()
    for name in ("training_curves.png", "figure_attribution.png", "figure_severity.png"):
        assert (run / X / name).stat().st_size > 10_000, name
    for log in ("summary", "baselines", "figures", "train_vagan_seed1", "evaluate_vrgan_seed0"):
        assert (run / f"results/logs/xray/{log}.log").is_file()


def test_a_second_invocation_has_nothing_to_do_and_rule_all_includes_the_study(run):
    done = snakemake(run, "--dry-run", *TARGETS)
    assert done.returncode == 0 and "Nothing to be done" in done.stdout + done.stderr
    done = snakemake(run, "--summary", "all")  # every file of rule all's DAG
    out = done.stdout + done.stderr
    assert done.returncode == 0 and all(target in out for target in TARGETS), out[-3000:]


def test_a_training_setting_reruns_training_and_after_but_not_the_data(run):
    code, out = dry_run_with(run, lambda c: c["xray"]["training"].update(lr=2e-3))
    assert code == 0, out[-2000:]
    for rule in ("xray_train", "xray_evaluate", "xray_summary", "xray_figures"):
        assert f"rule {rule}:" in out, rule
    assert "rule xray_datasets:" not in out and "rule xray_baselines:" not in out
    assert "rule xray_train_pairs:" not in out and "rule xray_regressor_independent:" not in out


def test_supervised_runs_learn_from_training_pairs_of_one_subject_in_both_directions(run):
    pairs = np.load(run / f"{X}/data/train_pairs_truth.npz")
    train = np.load(run / f"{X}/data/train.npz")
    size = train["images"].shape[-1]
    assert len(pairs["y"]) > 0 and pairs["x"].shape == pairs["target"].shape == (len(pairs["y"]), size, size)
    ids = set(pairs["pair_id"])
    assert all(f"{b}_{a}" in ids for a, b in (i.split("_") for i in ids))  # both directions
    keys = set(train["image_key"])
    assert all(i.split("_")[0] in keys and i.split("_")[1] in keys for i in ids)  # training images only
    assert np.count_nonzero(pairs["target"]) > 0 and len(set(pairs["patient_key"])) < len(ids)
    for seed in (0, 1):
        assert (run / f"{X}/train/supervised/seed{seed}/best.pt").is_file()


def test_counterfactual_validity_on_xrays_has_both_real_images_and_both_ground_truths(run):
    table = pd.read_csv(run / f"{X}/counterfactual.csv")
    test = np.load(run / f"{X}/data/test_pairs.npz")
    references = table[table["kind"] == "reference"].set_index("method")
    assert set(references.index) == {"real_images", "target_registration", "target_truth"}
    assert references.loc["real_images", "n_pairs"] == 2 * len(test["y"])  # x with y and x' with y'
    models = table[table["kind"] == "model"]
    assert sorted(zip(models["method"], models["seed"])) == sorted(RUNS)
    assert (models["n_pairs"] == len(test["y"])).all()


def test_load_time_checks_name_the_keys(run):
    def break_two_things(config):
        config["xray"]["models"]["generator"]["depth"] = 5  # crop 16 is not divisible by 32
        config["xray"]["figure"]["seed"] = 7

    code, out = dry_run_with(run, break_two_things)
    assert code != 0
    assert "xray.preprocess.crop (16) must be divisible by 2**xray.models.generator.depth (32)" in out
    assert "xray.figure.seed (7) must be one of xray.training.seeds [0, 1]" in out


def test_the_supervised_ceiling_is_refused_on_a_real_export(tmp_path):
    """A real export has no true Δx: asking for the supervised method fails when the workflow loads."""
    (tmp_path / "dicom").mkdir()
    (tmp_path / "pft.csv").write_text("patient_id,date,fev1,fvc\n")
    export = {"source": "export", "dicom_dir": str(tmp_path / "dicom"), "pft_csv": str(tmp_path / "pft.csv")}
    config = tiny_config(cohort=export, xray={"training": {"methods": ["vrgan", "supervised"]}})
    work = copy_workflow(tmp_path / "wf", config)
    done = snakemake(work, "--dry-run", f"{X}/summary.csv")
    assert done.returncode != 0
    assert "xray.training.methods: 'supervised' needs the true disease effect" in done.stdout + done.stderr
    config["xray"]["training"]["methods"] = ["vrgan"]
    write_config(work, config)
    done = snakemake(work, "--dry-run", f"{X}/summary.csv")
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
