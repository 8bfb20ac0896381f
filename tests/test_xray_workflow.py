"""The x-ray DAG through the real snakemake CLI on a tiny demo config: synthetic export -> cohort ->
xray_preprocess -> xray_register -> xray_truth_maps -> xray_datasets (+ the figure)."""


import numpy as np
import pandas as pd
import pytest
import yaml

from vrgan.training import EvalPairs, ImageBank
from workflow import snakemake

RESIZE, CROP = 24, 16
TARGETS = [
    "results/xray/data/train.npz",
    "results/xray/data/val_pairs.npz",
    "results/xray/data/test_pairs.npz",
    "results/xray/figure_registration.png",
    "results/xray/truth_vs_registration.csv",
]
pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def run(tiny_run):
    """The complete tiny run shared by the workflow tests (conftest.py)."""
    return tiny_run


def test_preprocessed_cache_covers_every_cohort_image_with_its_metadata(run):
    cohort = pd.read_parquet(run / "results/cohort/cohort.parquet")
    manifest = pd.read_csv(run / "results/xray/preprocessed/manifest.csv", keep_default_na=False)
    index = pd.read_parquet(run / "results/xray/preprocessed/index.parquet")
    assert sorted(manifest["image_key"]) == sorted(cohort["image_key"])
    assert (manifest["status"] == "ok").all() and len(index) == len(cohort)
    assert (index["resize"] == RESIZE).all() and (
        index["crop_size"] == index[["original_rows", "original_columns"]].min(axis=1)
    ).all()
    for shard, group in index.groupby("shard"):
        stack = np.load(run / "results/xray/preprocessed" / shard)
        assert stack.shape == (len(group), RESIZE, RESIZE) and stack.dtype == np.float32
        assert -1 < stack.min() and stack.max() <= 1


def test_registration_table_and_datasets_are_consistent(run):
    pairs = pd.read_parquet(run / "results/cohort/pairs.parquet")
    registration = pd.read_parquet(run / "results/xray/registration.parquet")
    assert len(registration) == len(pairs) > 0 and registration["pair_id"].is_unique
    assert set(registration["status"]) <= {"ok", "barely_improved", "failed"}
    assert (registration["ncc_after"] > registration["ncc_before"]).mean() > 0.5
    train = np.load(run / "results/xray/data/train.npz")
    assert train["images"].shape[1:] == (RESIZE, RESIZE) and len(train["y"]) == len(train["image_key"])
    assert ImageBank(train["images"], train["y"], crop=CROP).image_size == (CROP, CROP)
    held_out = set(pairs["x_image_key"]) | set(pairs["x_prime_image_key"])
    assert not held_out & set(train["image_key"])
    total = 0
    for name, split in (("val_pairs", "validation"), ("test_pairs", "test")):
        data = np.load(run / f"results/xray/data/{name}.npz")
        m = int((pairs["split"] == split).sum())
        total += m
        for field in ("x", "x_prime", "target_registration", "target_truth", "registration_valid"):
            assert data[field].shape == (m, CROP, CROP), field
        assert len(EvalPairs(data["x"], data["y"], data["y_prime"], data["target_truth"])) == m
        assert (data["y"] >= 0.7).all() and (data["y_prime"] < 0.7).all()
        assert np.all(data["target_registration"][~data["registration_valid"]] == 0)
    assert total == len(pairs)


def test_truth_maps_reproduce_x_and_are_compared_with_the_registration(run):
    table = pd.read_csv(run / "results/xray/truth_maps.csv")
    assert (table["status"] == "ok").all() and table["x_reproduced"].all()
    compared = pd.read_csv(run / "results/xray/truth_vs_registration.csv")
    assert len(compared) == len(table) and compared["ncc_registration_vs_truth"].notna().all()
    assert (run / "results/xray/figure_registration.png").stat().st_size > 10_000
    for stage in ("preprocess", "register", "registration_figure", "truth_maps", "datasets"):
        assert (run / f"results/logs/xray/{stage}.log").is_file()


def test_a_crop_larger_than_the_resize_stops_the_workflow(run):
    original = (run / "config.yaml").read_text()
    config = yaml.safe_load(original)
    config["xray"]["preprocess"]["crop"] = RESIZE + 1
    (run / "config.yaml").write_text(yaml.safe_dump(config))
    try:
        done = snakemake(run, "--dry-run", *TARGETS)
    finally:
        (run / "config.yaml").write_text(original)
    assert done.returncode != 0 and "must not exceed xray.preprocess.resize" in done.stdout + done.stderr


def test_changing_a_registration_threshold_reruns_registration_and_after_only(run):
    original = (run / "config.yaml").read_text()
    config = yaml.safe_load(original)
    config["xray"]["registration"]["min_ncc_gain"] = 0.05
    (run / "config.yaml").write_text(yaml.safe_dump(config))
    try:
        done = snakemake(run, "--dry-run", *TARGETS)
    finally:
        (run / "config.yaml").write_text(original)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout + done.stderr
    assert "rule xray_register:" in out and "rule xray_datasets:" in out
    assert "rule xray_preprocess:" not in out and "rule cohort_ingest:" not in out
