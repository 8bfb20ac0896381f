"""A training job killed with SIGKILL mid-run (Snakemake and the job, the whole process group) and the
workflow started again: Snakemake flags the job's outputs as incomplete, and the rerun continues
from the last checkpoint instead of from scratch (real CLI, tiny config, CPU)."""

import os
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import torch
from workflow import copy_workflow, snakemake, tiny_config

pytestmark = pytest.mark.workflow
RUN = "results/toy/train/vrgan/seed0"
TARGET = f"{RUN}/best.pt"
EPOCHS = 5


def checkpoint_epoch(path) -> int:
    """Epoch of the checkpoint at ``path`` (-1 while there is none); it is replaced atomically."""
    try:
        return torch.load(path, weights_only=False)["epoch"]
    except FileNotFoundError:
        return -1


def test_a_killed_training_job_resumes_from_its_last_checkpoint(tmp_path):
    config = tiny_config()
    config["toy"]["training"].update(seeds=[0], device="cpu", iterations_per_epoch=4, max_epochs=EPOCHS, patience=EPOCHS)
    work = copy_workflow(tmp_path / "wf", config)
    first = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2", TARGET],
        cwd=work,
        env={**os.environ, "PYTHONPATH": str(work)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: snakemake, the job and its workers
    )
    deadline = time.monotonic() + 600
    try:
        while (seen := checkpoint_epoch(work / RUN / "last.pt")) < 1:
            assert first.poll() is None, "snakemake ended before the first adversarial epoch's checkpoint"
            assert time.monotonic() < deadline, "no checkpoint after epoch 1 in 10 minutes"
            time.sleep(0.05)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    killed_at = checkpoint_epoch(work / RUN / "last.pt")
    assert 1 <= seen <= killed_at < EPOCHS, "the job must be killed mid-run"

    assert snakemake(work, "--unlock").returncode == 0
    refused = snakemake(work, TARGET)
    assert refused.returncode != 0 and "incomplete" in (refused.stdout + refused.stderr).lower()

    done = snakemake(work, "--rerun-incomplete", TARGET)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    log = (work / "results/logs/toy/train_vrgan_seed0.log").read_text()
    resumed = re.findall(r"resuming from \S*last\.pt at epoch (\d+)", log)
    assert resumed == [str(killed_at)], log[-2000:]
    history = pd.read_csv(work / RUN / "history.csv")
    assert history["epoch"].tolist() == list(range(EPOCHS + 1))
    assert (work / TARGET).is_file() and not (work / RUN / "last.pt").exists()
