"""The machine that drives the workflow needs no GPU or imaging stack: planning the study (a dry
run of the demo, of the tiny config, and of configs/export.yaml on a real export) imports no
package of the torch and imaging extras (torch, torchvision, pydicom and its decoders, pystackreg,
scikit-image), and not matplotlib either (issue 11).

Each dry run goes through the real snakemake CLI in a process where importing those packages
fails as if they were not installed, and where any attempt is reported.
"""

import re

import pytest
import yaml
from cohort_export import build_standard_export
from packages import CORE, EXTRAS, blocked_modules
from workflow import REPO, copy_workflow, deep_update, snakemake_without, tiny_config

pytestmark = pytest.mark.workflow


# a machine that only drives the workflow (--use-conda): the core dependencies and the workflow
# extra, and no matplotlib
DRIVER = (set(CORE) - {"matplotlib"}) | set(EXTRAS["workflow"])
HEAVY = blocked_modules(DRIVER)


def default_config() -> dict:
    return yaml.safe_load((REPO / "config.yaml").read_text())


def export_config(tmp_path) -> dict:
    """config.yaml with configs/export.yaml on top, its paths filled in with a real export."""
    export = build_standard_export(tmp_path / "export")
    paths = {"dicom_dir": str(export.root / "dicom"), "pft_csv": str(export.root / "pft.csv")}
    template = yaml.safe_load((REPO / "configs/export.yaml").read_text())
    return deep_update(default_config(), deep_update(template, {"cohort": paths}))


@pytest.mark.parametrize(
    ("config", "planned"),
    [
        (lambda tmp: default_config(), ["synth_export", "toy_train", "cohort_ingest", "xray_train", "report"]),
        (lambda tmp: tiny_config(), ["synth_export", "toy_train", "cohort_ingest", "xray_train", "report"]),
        (export_config, ["cohort_ingest", "xray_train", "report"]),
    ],
    ids=["demo", "tiny", "export"],
)
def test_planning_the_study_imports_no_heavy_package(tmp_path, config, planned):
    work = copy_workflow(tmp_path / "wf", config(tmp_path))
    done = snakemake_without(work, HEAVY, "--dry-run")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "BLOCKED IMPORT" not in output, [line for line in output.splitlines() if "BLOCKED IMPORT" in line]
    rules = set(re.findall(r"^\s*(?:local)?rule (\w+):", output, re.MULTILINE))
    assert set(planned) <= rules, sorted(rules)  # the whole study was planned, not a part of it


def test_the_blocked_modules_are_those_of_the_torch_and_imaging_extras_and_matplotlib():
    assert {"torch", "torchvision", "pydicom", "libjpeg", "pystackreg", "skimage", "matplotlib"} <= set(HEAVY)
    assert not {"snakemake", "yaml", "pandas", "numpy"} & set(HEAVY)


def test_the_blocker_stops_a_workflow_that_imports_a_heavy_package(tmp_path):
    (tmp_path / "Snakefile").write_text('from vrgan.cohort.ingest import ingest_export\n\n\nrule all:\n    shell: "true"\n')
    (tmp_path / "vrgan").symlink_to(REPO / "vrgan")
    done = snakemake_without(tmp_path, HEAVY, "--dry-run")
    assert done.returncode != 0
    assert "BLOCKED IMPORT pydicom" in done.stderr, (done.stdout + done.stderr)[-3000:]
