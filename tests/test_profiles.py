"""The execution profiles: a dry run with each, and a real run of the tiny toy study through the
SLURM profile as shipped and stand-in SLURM commands (tests/slurm_standin: a cluster whose sinfo
names a default partition; sbatch runs each job at once and records its command line), which must
submit the training jobs with a GPU request and keep the local rules off sbatch."""

import json
import os
import re
import shlex

import pytest
import yaml
from workflow import REPO, copy_workflow, snakemake, tiny_config

pytestmark = pytest.mark.workflow
STANDIN = REPO / "tests" / "slurm_standin"
PROFILE = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
TRAINING = ["results/toy/train/vrgan/seed0/best.pt", "results/toy/train/vagan/seed0/best.pt"]
LOCAL = "results/toy/paper_floor.csv"  # rule toy_paper_floor, a local rule
DEFAULT_PARTITION = "main"  # the one the stand-in sinfo marks with *
# The profile's environment variables (profiles/slurm/config.yaml header)
CHOICES = ("VRGAN_GPU_PARTITION", "VRGAN_SLURM_ACCOUNT")
GPU_RULES = {
    f"{study}_{stage}"
    for study in ("toy", "xray")
    for stage in ("train", "evaluate", "regressor_independent", "counterfactual")
}


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    config = tiny_config()
    config["toy"]["training"]["seeds"] = [0]
    return copy_workflow(tmp_path_factory.mktemp("profiles") / "wf", config)


def planned_resources(output):
    """Rule -> the resources of each of its jobs, from a dry run's output."""
    jobs = {}
    for rule, resources in re.findall(r"^(?:local)?rule (\w+):\n(?:    .*\n)*?    resources: (.*)$", output, re.MULTILINE):
        jobs.setdefault(rule, []).append(dict(item.split("=", 1) for item in resources.split(", ")))
    return jobs


@pytest.mark.parametrize("profile", ["local", "slurm"])
def test_a_dry_run_with_each_profile_plans_the_whole_study(work, profile, monkeypatch):
    for name in CHOICES:
        monkeypatch.delenv(name, raising=False)
    done = snakemake(work, "--workflow-profile", f"profiles/{profile}", "--dry-run")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    for rule in ("toy_train", "synth_export", "cohort_ingest", "xray_register"):
        assert f"rule {rule}:" in output
    if profile == "slurm":
        jobs = planned_resources(output)
        assert set(jobs) >= GPU_RULES | {"toy_data", "report"}, sorted(jobs)
        for rule, resources in jobs.items():
            for job in resources:  # no partition or account chosen: the plugin's lookup applies
                assert not {"slurm_partition", "slurm_account"} & set(job), (rule, job)
                assert (job.get("gpu") == "1") == (rule in GPU_RULES), (rule, job)


def test_the_slurm_profile_takes_the_gpu_partition_and_the_account_from_the_environment(work, monkeypatch):
    monkeypatch.setenv("VRGAN_GPU_PARTITION", "gpu-a100")
    monkeypatch.setenv("VRGAN_SLURM_ACCOUNT", "lab-7")
    done = snakemake(work, "--workflow-profile", "profiles/slurm", "--dry-run")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    jobs = planned_resources(output)
    assert set(jobs) >= GPU_RULES, sorted(jobs)
    for rule, resources in jobs.items():
        for job in resources:
            assert job["slurm_account"] == "lab-7", (rule, job)
            expected = {"slurm_partition": "gpu-a100", "gpu": "1"} if rule in GPU_RULES else {}
            assert {k: v for k, v in job.items() if k in ("slurm_partition", "gpu")} == expected, (rule, job)


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
    # The profile as shipped (the workflow copy's profiles/slurm), with no environment variable
    state = tmp_path / "slurm"
    state.mkdir()
    for name in CHOICES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FAKE_SLURM_DIR", str(state))
    monkeypatch.setenv("PATH", f"{STANDIN}{os.pathsep}{os.environ['PATH']}")

    done = snakemake(
        work,
        "--workflow-profile",
        "profiles/slurm",
        "--slurm-init-seconds-before-status-checks",
        "1",
        "--slurm-keep-successful-logs",
        *TRAINING,
        LOCAL,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert all((work / target).is_file() for target in [*TRAINING, LOCAL])

    calls = submitted(state)  # toy_paper_floor ran in the main process: no sbatch
    assert sorted((rule, len(c)) for rule, c in calls.items()) == [("toy_data", 1), ("toy_train", 2)]
    # The plugin looked up the default partition and tried to guess the account itself; it found
    # none (sacct), so no -A: SLURM charges the user's default account.
    assert "-o %P" in (state / "sinfo.calls").read_text().splitlines()
    assert any("Account" in line for line in (state / "sacct.calls").read_text().splitlines())
    for args in [args for rule_calls in calls.values() for args in rule_calls]:
        line = shlex.join(args)
        assert not [a for a in args if "<" in a], line  # no placeholder reached sbatch
        assert args[args.index("-p") + 1] == DEFAULT_PARTITION and "-A" not in args, line
    train = PROFILE["set-resources"]["toy_train"]
    for args in calls["toy_train"]:
        line = shlex.join(args)
        assert "--gpus=1" in args, line
        assert args[args.index("-t") + 1] == str(train["runtime"]), line
        assert args[args.index("--mem") + 1] == str(train["mem_mb"]), line
        assert f"--cpus-per-task={PROFILE['set-threads']['toy_train']}" in args, line
    (data,) = calls["toy_data"]
    line = shlex.join(data)
    assert not [a for a in data if a.startswith(("--gpus", "--gres"))], line
    assert data[data.index("-t") + 1] == str(PROFILE["set-resources"]["toy_data"]["runtime"]), line
    assert data[data.index("--mem") + 1] == str(PROFILE["set-resources"]["toy_data"]["mem_mb"]), line
    assert sorted(p.read_text() for p in state.glob("*.state")) == ["COMPLETED"] * 3
