"""The report through the real snakemake CLI on the tiny config, in a git repository: rule report
writes results/report/summary.md (the paper's table beside ours, the commit, the config), rule
xray_progression the GIF, and ``snakemake --report`` the browsable HTML of every registered output."""

import re

import pandas as pd
import pytest
import yaml
from PIL import Image
from workflow import git, snakemake, tiny_config

pytestmark = pytest.mark.workflow
SUMMARY = "results/report/summary.md"


@pytest.fixture(scope="module")
def run(tiny_run):
    """The complete tiny run shared by the workflow tests, in a git repository (conftest.py)."""
    return tiny_run


def test_the_summary_puts_the_papers_table_beside_ours(run):
    text = (run / SUMMARY).read_text()
    assert "| toy | exact (rendered squares) | 0.780 ± 0.007 | 0.853 ± 0.014 |" in text
    assert "| x-ray | registration | 0.012 ± 0.015 | 0.127 ± 0.017 |" in text
    assert "| x-ray | phantom's true Δx (demo only) | — | — |" in text
    xray = pd.read_csv(run / "results/xray/summary.csv").set_index(["pairs", "method"])
    vrgan = xray.loc[("all", "vrgan")]
    assert f"{vrgan['mean']:.3f} ± {vrgan['std']:.3f} (n = 2)" in text
    toy = pd.read_csv(run / "results/toy/summary.csv").set_index("method")
    assert f"| {toy.loc['vrgan', 'mean']:.3f} ± {toy.loc['vrgan', 'std']:.3f} (n = 2) |" in text
    table = pd.read_csv(run / "results/report/results.csv")
    ours = table[(table["source"] == "ours") & (table["study"] == "x-ray") & (table["ground_truth"] == "registration")]
    assert ours.set_index("method").loc["vrgan", "mean"] == pytest.approx(vrgan["mean"])
    floor = text.split("## Floor and ceiling")[1].split("\n## ")[0]
    assert "**toy, exact (rendered squares)**" in floor and "**x-ray, registration**" in floor
    assert floor.count("| **floor**: best input-independent map |") == 3  # toy, registration, phantom truth
    assert "NCC in the registration overlap" in floor and "trivial maps at 16 px" in text  # the tiny paper floor
    for section in ("How good is the registration ground truth?", "Cohort and registration", "Figures: ours", "Provenance"):
        assert f"## {section}" in text


def test_the_summary_names_the_commit_and_the_exact_config_and_its_links_resolve(run):
    text = (run / SUMMARY).read_text()
    assert f"- commit: `{git(run, 'rev-parse', 'HEAD')}` (clean work tree)" in text
    block = text.split("```yaml\n")[1].split("```")[0]
    assert yaml.safe_load(block) == yaml.safe_load((run / "config.yaml").read_text())
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert "../xray/progression.gif" in links and "../toy/figure_toy.png" in links and "../cohort/flow.png" in links
    for link in links:
        assert (run / "results/report" / link).is_file(), link
    assert re.search(r"\| torch \| 2\.\d+\.\d+ \| .*xray_progression \|", text)
    assert re.search(r"\| pystackreg \| [\d.]+ \| .*xray_datasets", text)


def test_the_progression_gif_has_the_configured_frames(run):
    frames = tiny_config()["xray"]["figure"]["progression"]["frames"]
    with Image.open(run / "results/xray/progression.gif") as gif:
        assert gif.n_frames == frames and gif.info["loop"] == 0
    summary = yaml.safe_load((run / "results/xray/progression.json").read_text())
    assert summary["counts"]["frames"] == frames and summary["counts"]["y_primes"][0] == 0.9


def test_snakemake_report_writes_the_html_with_every_stage(run):
    done = snakemake(run, SUMMARY, "--report", "results/report.html")
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    html = (run / "results/report.html").read_text()
    for category in ("Synthetic export", "Cohort", "Toy study", "X-ray study", "Report"):
        assert category in html, category
    for name in ("summary.md", "results.csv", "progression.gif", "figure_toy.png", "flow.png", "figure_attribution.png"):
        assert name in html, name


def test_nothing_reruns_and_a_figure_setting_reruns_its_figure_and_the_report_only(run):
    done = snakemake(run, "--dry-run", SUMMARY)
    assert done.returncode == 0 and "Nothing to be done" in done.stdout + done.stderr
    original = (run / "config.yaml").read_text()
    config = yaml.safe_load(original)
    config["xray"]["figure"]["progression"]["fps"] = 10
    (run / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    try:
        done = snakemake(run, "--dry-run", SUMMARY)
    finally:
        (run / "config.yaml").write_text(original)
    planned = set(re.findall(r"^\s*(?:local)?rule (\w+):", done.stdout + done.stderr, re.MULTILINE))
    assert planned == {"xray_progression", "report"}
