"""The conda environments of envs/: they parse, carry pyproject.toml's pins, and every rule runs in one
whose packages are enough for its script.

envs/<group>.yaml = pyproject ``dependencies`` + the extras of GROUPS[group], pinned alike. A rule's
script must import with nothing but its environment's packages (and their own dependencies): the
check runs the script's imports in a Python where every other pyproject distribution is blocked.
"""

import json
from pathlib import Path

import pytest
import yaml
from packages import BLOCKER, CORE, EXTRAS, PYPROJECT, blocked_modules, pins
from workflow import REPO, copy_workflow, run_json_program, workflow_rules

GROUPS = {"data": [], "imaging": ["imaging"], "torch": ["torch"]}
ENVS = REPO / "envs"


def env(group: str) -> dict:
    return yaml.safe_load((ENVS / f"{group}.yaml").read_text())


def pip_list(group: str) -> list[str]:
    return next(d["pip"] for d in env(group)["dependencies"] if isinstance(d, dict))


def python_version(group: str) -> str:
    return next(d.split("=", 1)[1] for d in env(group)["dependencies"] if isinstance(d, str) and d.startswith("python"))


def test_every_env_file_is_a_group_and_parses_with_the_same_python():
    assert sorted(p.stem for p in ENVS.glob("*.yaml")) == sorted(GROUPS)
    versions = {group: python_version(group) for group in GROUPS}
    assert len(set(versions.values())) == 1, versions
    minimum = PYPROJECT["requires-python"].removeprefix(">=")
    version = next(iter(versions.values()))
    assert tuple(map(int, version.split("."))) >= tuple(map(int, minimum.split("."))), (version, minimum)
    for group in GROUPS:
        assert env(group)["channels"] == ["conda-forge", "nodefaults"]
        assert "pip" in env(group)["dependencies"]
        assert not [line for line in pip_list(group) if line.startswith("-")], f"envs/{group}.yaml: no pip options"


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_env_pins_are_pyprojects_dependencies_and_its_extras(group):
    expected = dict(CORE)
    for extra in GROUPS[group]:
        expected |= EXTRAS[extra]
    assert pins(pip_list(group)) == expected


def test_every_pyproject_pin_is_in_an_env_or_runs_snakemake_and_the_tests():
    in_envs = set().union(*(pins(pip_list(group)) for group in GROUPS))
    assert set(CORE) | set(EXTRAS["imaging"]) | set(EXTRAS["torch"]) == in_envs
    assert not (set(EXTRAS["workflow"]) | set(EXTRAS["dev"])) & in_envs


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    work = copy_workflow(tmp_path_factory.mktemp("envs") / "wf")
    return {name: rule for name, rule in workflow_rules(work).items() if rule["script"]}, work


def test_every_rule_runs_a_script_in_an_existing_env(rules):
    by_rule, work = rules
    assert len(by_rule) >= 20
    for name, rule in by_rule.items():
        assert rule["conda"], f"rule {name} has no conda:"
        conda = Path(rule["conda"])
        assert conda.parent == work / "envs" and conda.stem in GROUPS and conda.is_file(), (name, conda)


BLOCKING_PROGRAM = BLOCKER + r"""
import ast, json
blocked, group, scripts = json.loads(sys.argv[1])
block(blocked, f"is not in envs/{group}.yaml")
failures = {}
for script in scripts:
    tree = ast.parse(open(script).read())
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    try:
        exec(compile(ast.Module(body=imports, type_ignores=[]), script, "exec"), {})
    except ImportError as err:
        failures[script] = str(err)
print("FAILURES=" + json.dumps(failures))
"""


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_each_rules_script_imports_with_only_its_envs_packages(rules, group):
    by_rule, work = rules
    scripts = sorted({r["script"] for r in by_rule.values() if Path(r["conda"]).stem == group})
    assert scripts, f"no rule uses envs/{group}.yaml"
    blocked = blocked_modules(pins(pip_list(group)))
    if group != "torch":
        assert "torch" in blocked
    assert run_json_program(BLOCKING_PROGRAM, json.dumps([blocked, group, scripts]), work, "FAILURES=") == {}

