"""The execution profiles: a dry run with each, and a real run of the tiny toy study through the
SLURM profile and stand-in SLURM commands (tests/slurm_standin: sbatch runs each job at once and
records its command line), which must submit the training jobs with a GPU request."""

import json
import os
import shlex

import pytest
from workflow import REPO, copy_workflow, snakemake, tiny_config

pytestmark = pytest.mark.workflow
STANDIN = REPO / "tests" / "slurm_standin"
TRAINING = ["results/toy/train/vrgan/seed0/best.pt", "results/toy/train/vagan/seed0/best.pt"]
PLACEHOLDERS = {"<gpu partition>": "gpu", "<partition>": "cpu", "<account>": "vrgan-test"}


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    config = tiny_config()
    config["toy"]["training"]["seeds"] = [0]
    return copy_workflow(tmp_path_factory.mktemp("profiles") / "wf", config)


@pytest.mark.parametrize("profile", ["local", "slurm"])
def test_a_dry_run_with_each_profile_plans_the_whole_study(work, profile):
    done = snakemake(work, "--workflow-profile", f"profiles/{profile}", "--dry-run")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    for rule in ("toy_train", "synth_export", "cohort_ingest", "xray_register"):
        assert f"rule {rule}:" in output
    if profile == "slurm":
        assert "slurm_partition=<gpu partition>" in output and "gpu=1" in output


def test_no_default_profile_forces_conda():
    assert not (REPO / "profiles" / "default").exists()
    for profile in (REPO / "profiles").glob("*/config.yaml"):
        assert "use-conda" not in profile.read_text().replace("--use-conda", ""), profile
        assert "software-deployment-method" not in profile.read_text(), profile


def submitted(state):
    """Rule name -> sbatch arguments, from the stand-in's record."""
    calls = {}
    for line in (state / "sbatch.jsonl").read_text().splitlines():
        args = json.loads(line)
        comment = args[args.index("--comment") + 1]
        calls.setdefault(comment.removeprefix("rule_").split("_wildcards_")[0], []).append(args)
    return calls


def test_a_run_through_stand_in_slurm_submits_the_training_jobs_with_a_gpu(work, tmp_path, monkeypatch):
    profile = (REPO / "profiles" / "slurm" / "config.yaml").read_text()
    for placeholder, value in PLACEHOLDERS.items():
        profile = profile.replace(placeholder, value)
    assert "<" not in profile.split("\n# ")[0]  # every placeholder of the header filled
    (tmp_path / "profile").mkdir()
    (tmp_path / "profile" / "config.yaml").write_text(profile)
    state = tmp_path / "slurm"
    state.mkdir()
    monkeypatch.setenv("FAKE_SLURM_DIR", str(state))
    monkeypatch.setenv("PATH", f"{STANDIN}{os.pathsep}{os.environ['PATH']}")

    done = snakemake(
        work,
        "--workflow-profile",
        str(tmp_path / "profile"),
        "--slurm-init-seconds-before-status-checks",
        "1",
        "--slurm-keep-successful-logs",
        *TRAINING,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert all((work / target).is_file() for target in TRAINING)

    calls = submitted(state)
    assert sorted((rule, len(c)) for rule, c in calls.items()) == [("toy_data", 1), ("toy_train", 2)]
    for args in calls["toy_train"]:
        line = shlex.join(args)
        assert "--gpus=1" in args, line
        assert args[args.index("-p") + 1] == "gpu" and args[args.index("-A") + 1] == "vrgan-test", line
        assert args[args.index("-t") + 1] == "240" and args[args.index("--mem") + 1] == "16000", line
        assert "--cpus-per-task=2" in args, line
    (data,) = calls["toy_data"]
    assert not [a for a in data if a.startswith(("--gpus", "--gres"))], shlex.join(data)
    assert data[data.index("-p") + 1] == "cpu" and data[data.index("-t") + 1] == "30", shlex.join(data)
    assert sorted(p.read_text() for p in state.glob("*.state")) == ["COMPLETED"] * 3
