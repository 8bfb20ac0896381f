"""What re-runs, through Snakemake's own triggers, after one complete run of the tiny config (real CLI).

Every rule declares the config values it uses as ``params:`` and the vrgan modules its script uses
as ``code=`` inputs (rules/common.smk: script_code). So after a complete run nothing re-runs; a
changed setting re-runs the rules that declare it and what follows; an edited module re-runs the
rules that use it and what follows. Dry runs say what would run. The expected sets are written
as "this rule and everything after it" (``--forcerun``), so the tests hold for rules added later,
plus named rules that must stay out.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from workflow import snakemake, tiny_config, workflow_rules

from vrgan_workflow.imports import modules_used_by

pytestmark = pytest.mark.workflow
UPSTREAM_OF_TRAINING = {"toy": {"toy_data", "toy_baselines"}, "xray": {"xray_datasets", "xray_register", "cohort_split"}}


@pytest.fixture(scope="module")
def run(tiny_run):
    """The complete tiny run shared by the workflow tests (conftest.py)."""
    return tiny_run


@pytest.fixture(scope="module")
def rules(run):
    return workflow_rules(run)


def planned(work: Path, *args: str) -> set[str]:
    """Rules a dry run would run (``all`` left out)."""
    done = snakemake(work, "--dry-run", *args)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    return set(re.findall(r"^\s*(?:local)?rule (\w+):", output, re.MULTILINE)) - {"all"}


def from_(work: Path, *rule_names: str) -> set[str]:
    """These rules and every rule after them."""
    return planned(work, "--forcerun", *rule_names)


@contextmanager
def changed_config(work: Path, change):
    original = (work / "config.yaml").read_text()
    config = yaml.safe_load(original)
    change(config)
    (work / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    try:
        yield
    finally:
        (work / "config.yaml").write_text(original)


@contextmanager
def edited(path: Path):
    """``path`` with a comment appended; content and times restored after."""
    original, times = path.read_text(), os.stat(path)
    path.write_text(original + "\n# edited\n")
    try:
        yield
    finally:
        path.write_text(original)
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))


def test_nothing_reruns_after_a_complete_run(run):
    done = snakemake(run, "--dry-run")
    assert done.returncode == 0 and "Nothing to be done" in done.stdout + done.stderr
    assert planned(run) == set()


def test_every_script_rule_has_its_scripts_modules_as_code_inputs(run, rules):
    for name, rule in rules.items():
        if rule["script"] is None:
            continue
        expected = [str(run / module) for module in modules_used_by(rule["script"], run)]
        assert rule["code"] == expected, f"rule {name}: use code=script_code({Path(rule['script']).stem!r})"


def test_scripts_take_config_values_from_params_only(run, rules):
    readers = {Path(r["script"]).name for r in rules.values() if r["script"] and "snakemake.config" in Path(r["script"]).read_text()}
    # cohort_ingest re-checks the whole export (a check, not a result) before reading it
    assert readers <= {"cohort_ingest.py"}


def test_a_registration_setting_reruns_registration_and_after_only(run):
    def change(config):
        config["xray"]["registration"]["min_ncc_gain"] = 0.05

    with changed_config(run, change):
        again = planned(run)
    assert again == from_(run, "xray_register")
    assert {"xray_register", "xray_datasets"} <= again
    assert not again & {"synth_export", "cohort_ingest", "cohort_match", "cohort_split", "xray_preprocess"}
    assert not [rule for rule in again if rule.startswith("toy_")]


@pytest.mark.parametrize("study", ["toy", "xray"])
def test_a_training_setting_reruns_that_studys_training_evaluation_and_the_report_only(run, rules, study):
    if f"{study}_train" not in rules or "training" not in tiny_config().get(study, {}):
        pytest.skip(f"no {study}_train rule yet")

    def change(config):
        config[study]["training"]["lr"] *= 2

    with changed_config(run, change):
        again = planned(run)
    assert again == from_(run, f"{study}_train")
    assert {f"{study}_train", f"{study}_evaluate", f"{study}_summary", "report"} <= again
    assert all(rule.startswith(f"{study}_") for rule in again - {"report"}), again
    assert not again & UPSTREAM_OF_TRAINING[study]


@pytest.mark.parametrize(
    ("module", "first", "never"),
    [
        ("vrgan/registration.py", {"xray_register"}, {"xray_preprocess", "cohort_ingest", "cohort_match", "toy_data"}),
        ("vrgan/toy.py", {"toy_data", "toy_figure"}, {"synth_export", "cohort_ingest", "xray_register"}),
        ("vrgan/cohort/matching.py", {"cohort_match", "cohort_filter"}, {"cohort_ingest", "cohort_pft", "synth_export"}),
        ("vrgan/training/loop.py", {"toy_train"}, {"toy_data", "toy_baselines", "xray_datasets"}),
        ("vrgan/report.py", {"report"}, {"toy_summary", "xray_summary", "xray_progression"}),
    ],
)
def test_editing_a_module_reruns_the_stages_that_use_it(run, rules, module, first, never):
    users = {name for name, rule in rules.items() if rule["code"] and str(run / module) in rule["code"]}
    assert first <= users
    with edited(run / module):
        again = planned(run)
    assert again == from_(run, *sorted(users))
    assert not again & never
    if module == "vrgan/toy.py":
        assert all(rule.startswith("toy_") for rule in again - {"report"})
    if module == "vrgan/report.py":
        assert again == {"report"}
