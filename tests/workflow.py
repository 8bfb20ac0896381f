"""Running the real snakemake CLI on a temporary copy of the workflow (for workflow tests)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from packages import BLOCKER

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_FILES = ("Snakefile", "config.yaml", "rules", "workflow_scripts", "schemas", "envs", "vrgan", "vrgan_workflow", "report", "profiles")
TINY = REPO / "tests" / "config.tiny.yaml"
#: One thread per torch job, two jobs at a time on --cores 2: tiny networks gain nothing from more
#: (``--set-threads`` takes every value after it: keep it last on a command line).
ONE_THREAD = [
    "--set-threads",
    *(f"{study}_{stage}=1" for study in ("toy", "xray")
      for stage in ("train", "evaluate", "regressor_independent", "counterfactual")),
]  # fmt: skip


def deep_update(base: dict, overrides: dict) -> dict:
    """``base`` updated recursively with ``overrides`` (Snakemake's --configfile semantics)."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_update(merged[key], value)
        else:
            merged[key] = value
    return merged


def tiny_config(**sections) -> dict:
    """config.yaml with tests/config.tiny.yaml and then ``sections`` applied on top."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config = deep_update(config, yaml.safe_load(TINY.read_text()))
    return deep_update(config, sections)


def copy_workflow(work: Path, config: dict | None = None) -> Path:
    """Copy the workflow (Snakefile, rules, scripts, schemas, envs, the vrgan package) to ``work``.

    ``config`` replaces config.yaml there (default: the tiny config).
    """
    work.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        elif source.exists():
            shutil.copy(source, work / name)
    write_config(work, config if config is not None else tiny_config())
    return work


def write_config(work: Path, config: dict) -> None:
    """Replace the workflow copy's config.yaml."""
    (work / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def snakemake(work: Path, *args: str, cores: int = 2, timeout: int = 1200) -> subprocess.CompletedProcess:
    """``python -m snakemake --cores N ARGS`` in ``work``, importing the copied ``vrgan``."""
    return _python_in(work, ["-m", "snakemake", "--cores", str(cores), *args], timeout)


_BLOCKING_PROGRAM = BLOCKER + r"""
block(sys.argv[1].split(","), "is not installed here (blocked by the test)")
from snakemake.cli import main

sys.argv = ["snakemake", *sys.argv[2:]]
main()
"""


def snakemake_without(work: Path, blocked: list[str], *args: str, cores: int = 2, timeout: int = 1200) -> subprocess.CompletedProcess:
    """``snakemake`` as in :func:`snakemake`, in a process where importing any of the ``blocked``
    top-level modules fails as if it were not installed (a machine that only drives the
    workflow); each attempt is written to stderr as ``BLOCKED IMPORT name`` (packages.BLOCKER)."""
    return _python_in(work, ["-c", _BLOCKING_PROGRAM, ",".join(blocked), "--cores", str(cores), *args], timeout)


def _python_in(work: Path, args: list[str], timeout: int) -> subprocess.CompletedProcess:
    """``python ARGS`` in ``work``, with ``work`` on PYTHONPATH (the copied ``vrgan``); output captured."""
    env = {**os.environ, "PYTHONPATH": str(work)}
    return subprocess.run([sys.executable, *args], cwd=work, env=env, capture_output=True, text=True, timeout=timeout)


_RULES_PROGRAM = r"""
import json
import sys
from pathlib import Path

from snakemake.api import SnakemakeApi
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings, StorageSettings

work = Path(sys.argv[1])
with SnakemakeApi(OutputSettings(quiet={"all"})) as api:
    workflow = api.workflow(
        resource_settings=ResourceSettings(),
        config_settings=ConfigSettings(),
        storage_settings=StorageSettings(),
        snakefile=work / "Snakefile",
        workdir=work,
    )._workflow
    rules = {}
    for rule in workflow.rules:
        folder = Path(rule.snakefile).parent
        names = rule.input._names
        code = list(rule.input[slice(*names["code"])]) if "code" in names else None
        rules[rule.name] = {
            "snakefile": str(rule.snakefile),
            "script": str((folder / rule.script).resolve()) if rule.script else None,
            "conda": str((folder / rule.conda_env).resolve()) if rule.conda_env else None,
            "code": None if code is None else [str((work / c).resolve()) for c in code],
            "params": list(rule.params._names),
        }
print("RULES=" + json.dumps(rules))
"""


def workflow_rules(work: Path) -> dict[str, dict]:
    """Every rule of the workflow in ``work``, as Snakemake loads it: its ``snakefile``, ``script`` and
    ``conda`` file (absolute paths or None), ``code`` inputs (absolute paths, None without a
    ``code=`` input) and ``params`` names. Runs in a subprocess, because
    loading a workflow changes the working directory and ``sys.path``."""
    return run_json_program(_RULES_PROGRAM, str(work), work, "RULES=")


def git(work: Path, *args: str) -> str:
    """``git ARGS`` in ``work`` with a test identity; its standard output."""
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
        cwd=work, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def tiny_study(folder: Path) -> Path:
    """The whole study (rule all: toy, demo export, cohort, x-ray, counterfactuals, report) on the
    tiny config, in a git repository of the workflow copy (the report names its commit): the one
    complete run that the workflow tests share (conftest.py)."""
    work = copy_workflow(folder / "wf")
    (work / ".gitignore").write_text("results/\n.snakemake/\n.vrgan-key\n__pycache__/\n")
    git(work, "init", "-q")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "tiny workflow")
    done = snakemake(work, *ONE_THREAD, timeout=2400)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return work


def run_json_program(program: str, argument: str, work: Path, prefix: str):
    """Run ``python -c program argument`` in ``work`` (on ``PYTHONPATH``) and return the JSON that
    the program prints after ``prefix`` on a line of its own; assert that it ran cleanly."""
    done = _python_in(work, ["-c", program, argument], timeout=300)
    line = next((line for line in done.stdout.splitlines() if line.startswith(prefix)), None)
    assert done.returncode == 0 and line, (done.stdout + done.stderr)[-3000:]
    return json.loads(line.removeprefix(prefix))
