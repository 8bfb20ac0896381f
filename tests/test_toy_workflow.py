"""The toy study through the real snakemake CLI on the tiny config."""

import pandas as pd
import pytest

from workflow import ONE_THREAD, copy_workflow, snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow
TARGETS = ["results/toy/ncc.csv", "results/toy/summary.csv", "results/toy/figure_toy.png", "results/toy/training_curves.png",
           "results/toy/paper_floor.csv", "results/toy/counterfactual.csv", "results/toy/counterfactual_summary.csv"]
METHODS = ("supervised", "vagan", "vrgan")


@pytest.fixture(scope="module")
def run(tiny_run):
    """The complete tiny run shared by the workflow tests (conftest.py)."""
    return tiny_run


def test_toy_dag_writes_the_tables_and_figures(run):
    seeds = pd.read_csv(run / "results/toy/ncc.csv")
    models = seeds[seeds["seed"].notna()]
    assert sorted(zip(models["method"], models["seed"])) == [(m, s) for m in METHODS for s in (0, 1)]
    assert set(seeds["method"]) >= {"negative_image", "constant_ring", "mean_validation_map"}
    assert seeds["ncc"].between(-1, 1).all() and (seeds["n_pairs"] > 0).all()
    summary = pd.read_csv(run / "results/toy/summary.csv")
    assert list(summary.columns) == [
        "method", "kind", "n_seeds", "n_pairs", "mean", "std", "specific_mean", "specific_std"
    ]  # fmt: skip
    assert summary.set_index("method").loc["mean_validation_map", "specific_mean"] == 0.0  # ignores the input
    vrgan = summary.set_index("method").loc["vrgan"]
    assert vrgan["n_seeds"] == 2 and vrgan["mean"] == pytest.approx(models[models["method"] == "vrgan"]["ncc"].mean())
    for method in METHODS:
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


def test_counterfactual_validity_scores_every_run_baseline_and_reference(run):
    table = pd.read_csv(run / "results/toy/counterfactual.csv")
    assert list(table.columns) == ["method", "kind", "seed", "mae", "corr", "n_pairs"]
    models = table[table["kind"] == "model"]
    assert sorted(zip(models["method"], models["seed"])) == [(m, s) for m in METHODS for s in (0, 1)]
    assert set(table.loc[table["kind"] == "baseline", "method"]) == {"negative_image", "constant_ring", "mean_validation_map"}
    assert set(table.loc[table["kind"] == "reference", "method"]) == {"real_images", "target"}
    n_pairs = len(pd.read_csv(run / "results/toy/eval/vrgan/seed0/test_ncc.csv"))
    assert (table["n_pairs"] == n_pairs).all() and (table["mae"] >= 0).all()
    summary = pd.read_csv(run / "results/toy/counterfactual_summary.csv").set_index("method")
    assert summary.loc["supervised", "n_seeds"] == 2
    assert summary.loc["vrgan", "mae_mean"] == pytest.approx(models[models["method"] == "vrgan"]["mae"].mean())
    assert (run / "results/toy/counterfactual/regressor.pt").is_file()


def test_a_second_invocation_has_nothing_to_do(run):
    result = snakemake(run, "--dry-run", *TARGETS)
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_two_runs_of_the_same_config_give_identical_tables(run, tmp_path):
    """A second run of the same config on this machine, in a fresh folder, writes the same bytes:
    the per-pair scores of a VR-GAN and a VA-GAN run (training, checkpoint choice, evaluation)
    and the trivial baselines (the summaries are means of these)."""
    again = copy_workflow(tmp_path / "wf")
    tables = [f"results/toy/eval/{method}/seed0/test_ncc.csv" for method in ("vrgan", "vagan")]
    tables += ["results/toy/eval/baselines/test_ncc.csv"]
    result = snakemake(again, *tables, *ONE_THREAD)
    assert result.returncode == 0, result.stderr[-3000:]
    for table in tables:
        assert (again / table).read_bytes() == (run / table).read_bytes(), table


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
