"""The toy study through the real snakemake CLI on the tiny config."""

import pandas as pd
import pytest

from workflow import copy_workflow, snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow
TARGETS = ["results/toy/ncc.csv", "results/toy/summary.csv", "results/toy/figure_toy.png", "results/toy/training_curves.png", "results/toy/paper_floor.csv"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = copy_workflow(tmp_path_factory.mktemp("toy") / "wf")
    result = snakemake(work, *TARGETS)
    assert result.returncode == 0, result.stderr[-3000:]
    return work


def test_toy_dag_writes_the_tables_and_figures(run):
    seeds = pd.read_csv(run / "results/toy/ncc.csv")
    models = seeds[seeds["seed"].notna()]
    assert sorted(zip(models["method"], models["seed"])) == [("vagan", 0), ("vagan", 1), ("vrgan", 0), ("vrgan", 1)]
    assert set(seeds["method"]) >= {"negative_image", "constant_ring", "mean_validation_map"}
    assert seeds["ncc"].between(-1, 1).all() and (seeds["n_pairs"] > 0).all()
    summary = pd.read_csv(run / "results/toy/summary.csv")
    assert list(summary.columns) == ["method", "kind", "n_seeds", "mean", "std", "specific_mean", "specific_std"]
    assert summary.set_index("method").loc["mean_validation_map", "specific_mean"] == 0.0  # ignores the input
    vrgan = summary.set_index("method").loc["vrgan"]
    assert vrgan["n_seeds"] == 2 and vrgan["mean"] == pytest.approx(models[models["method"] == "vrgan"]["ncc"].mean())
    for method in ("vrgan", "vagan"):
        for seed in (0, 1):
            run_dir = run / f"results/toy/train/{method}/seed{seed}"
            history = pd.read_csv(run_dir / "history.csv")
            assert history["epoch"].tolist()[0] == 0 and (run_dir / "history.png").stat().st_size > 0
            assert not (run_dir / "last.pt").exists()
            per_pair = pd.read_csv(run / f"results/toy/eval/{method}/seed{seed}/test_ncc.csv")
            assert list(per_pair.columns) == ["pair", "y", "y_prime", "ncc_target", "ncc_target_specific"]
    assert (run / "results/toy/figure_toy.png").stat().st_size > 10_000
    floor = pd.read_csv(run / "results/toy/paper_floor.csv")
    assert floor["method"].tolist() == ["mean_validation_map", "constant_ring", "negative_image"]
    assert (floor["size"] == 16).all() and floor.set_index("method").loc["mean_validation_map", "ncc_specific"] == 0.0


def test_a_second_invocation_has_nothing_to_do(run):
    result = snakemake(run, "--dry-run", *TARGETS)
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_malformed_config_is_rejected_naming_the_key(tmp_path):
    config = tiny_config()
    config["toy"]["training"]["batch_size"] = 0
    work = copy_workflow(tmp_path / "wf", config)
    result = snakemake(work, "--dry-run", *TARGETS)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "batch_size" in output and "minimum" in output
    config = tiny_config()
    config["toy"]["training"]["learning_rate"] = 1e-3
    write_config(work, config)
    result = snakemake(work, "--dry-run", *TARGETS)
    assert result.returncode != 0 and "learning_rate" in result.stdout + result.stderr
