"""The study's report, ``results/report/summary.md``: the stages' tables in, markdown out.

:func:`comparison_table` puts the paper's published NCC beside ours (one numeric row per study,
ground truth, method and source); :func:`render_summary` writes the whole report: that table, the
scale of our run against the paper's (with the toy's trivial maps at the paper's scale), the floor
and ceiling of each study (:mod:`vrgan.standing`), the agreement of the registration ground truth with the
phantom's true Δx, the cohort flow, the registration, the figures with a one-line description of
the paper's figure beside each, and the provenance (config, package versions, commit, machine).
Every function is pure; the workflow script reads the files and writes the results.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from vrgan import paper
from vrgan.provenance import to_yaml
from vrgan.standing import floor_ceiling_table, scale_ncc_table
from vrgan.tables import format_mean_std, markdown_table

__all__ = [
    "STUDIES",
    "agreement_table",
    "comparison_table",
    "flow_table",
    "findings",
    "format_mean_std",
    "markdown_table",
    "registration_table",
    "render_summary",
    "results_table",
    "versions_table",
]

#: Summary name -> (study, ground truth, the paper's numbers or None).
STUDIES = {
    "toy_summary": ("toy", "exact (rendered squares)", paper.NCC["toy"]),
    "xray_summary": ("x-ray", "registration", paper.NCC["xray"]),
    "xray_summary_truth": ("x-ray", "phantom's true Δx (demo only)", None),
}
METHODS = {"vagan": "VA-GAN", "vrgan": "VR-GAN"}
#: Trained methods shown as a ceiling when the run has them (an ``ours:`` column, dropped if empty).
CEILINGS = {"supervised": "supervised ceiling"}
#: Summary name -> the optional counterfactual-validity table of its study.
VALIDITY = {"toy_summary": "toy_validity", "xray_summary": "xray_validity", "xray_summary_truth": "xray_validity"}
BASELINES = {
    "negative_image": "Δx = −x",
    "constant_ring": "constant ring",
    "mean_validation_map": "mean validation map",
}
STATUSES = ("ok", "barely_improved", "failed")


def comparison_table(summaries: Mapping[str, pd.DataFrame | None], pairs: str = "all") -> pd.DataFrame:
    """The paper's NCC and ours, one row per (study, ground truth, method, source).

    Parameters
    ----------
    summaries : mapping of str to DataFrame or None
        ``toy_summary``, ``xray_summary``, ``xray_summary_truth``: the ``summary.csv`` tables of
        the stages (``method, kind, [pairs,] n_seeds, mean, std``); None or absent: not run.
    pairs : str
        The subset of x-ray test pairs (``all`` or ``not_failed``) of tables with a ``pairs`` column.

    Returns
    -------
    DataFrame with columns ``study, ground_truth, method, kind, source, n_seeds, mean, std``.
    """
    rows = []
    for name, (study, truth, published) in STUDIES.items():
        summary = summaries.get(name)
        if summary is None:
            continue
        for method, (mean, std) in (published or {}).items():
            rows.append([study, truth, method, "model", "paper", paper.SEEDS, mean, std])
        if "pairs" in summary.columns:
            summary = summary[summary["pairs"] == pairs]
        for row in summary.itertuples(index=False):
            n_seeds = int(row.n_seeds) if row.kind == "model" else None
            rows.append([study, truth, row.method, row.kind, "ours", n_seeds, row.mean, row.std])
    columns = ["study", "ground_truth", "method", "kind", "source", "n_seeds", "mean", "std"]
    return pd.DataFrame(rows, columns=columns).astype({"n_seeds": "Int64"})


def results_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`comparison_table` as the report shows it: one row per study and ground truth,
    the paper's and our models side by side, then our trivial baselines (``—``: not available)."""
    columns = {("paper", m): f"paper {n}" for m, n in METHODS.items()}
    columns |= {("ours", m): f"ours {n}" for m, n in METHODS.items()}
    columns |= {("ours", m): f"ours: {n}" for m, n in (CEILINGS | BASELINES).items()}
    rows = []
    for (study, truth), group in comparison.groupby(["study", "ground_truth"], sort=False):
        row = {"study": study, "ground truth": truth} | dict.fromkeys(columns.values(), "—")
        for r in group.itertuples(index=False):
            if (r.source, r.method) in columns:
                n_seeds = None if r.source == "paper" else r.n_seeds
                row[columns[r.source, r.method]] = format_mean_std(r.mean, r.std, n_seeds)
        rows.append(row)
    table = pd.DataFrame(rows, columns=["study", "ground truth", *columns.values()])
    return table.loc[:, table.ne("—").any() | ~table.columns.str.startswith("ours:")]


def _our_scale(section: Mapping[str, Any], side: str, data: Mapping[str, Any] | None) -> list[str]:
    """The values of :data:`vrgan.paper.SCALE`'s settings for one study's config section."""
    g, t, counts = section["models"]["generator"], section["training"], (data or {}).get("counts", {})
    training = f"≤ {t['max_epochs']} epochs × {t['iterations_per_epoch']} iterations (patience {t['patience']})"
    if section["vagan"].get("generator_steps_per_epoch") and "vagan" in t["methods"]:
        training += f"; VA-GAN {section['vagan']['generator_steps_per_epoch']} generator steps per epoch"
    return [
        side,
        f"{counts['train_images']:,}" if "train_images" in counts else "—",
        f"{counts['test_pairs']:,}" if "test_pairs" in counts else "—",
        f"{g['base_channels']}, {g['depth']}",
        "{weights}, {width}".format_map(section["models"]["regressor"]),
        training,
        str(len(t["seeds"])),
    ]


def findings(comparison: pd.DataFrame) -> list[str]:
    """One sentence per study and ground truth of :func:`comparison_table` comparing our means:
    VR-GAN against VA-GAN (the paper's finding) and against the best trivial baseline."""
    lines = []
    ours = comparison[(comparison["source"] == "ours") & comparison["mean"].notna()]
    for (study, truth), group in ours.groupby(["study", "ground_truth"], sort=False):
        mean = dict(zip(group["method"], group["mean"]))
        if "vrgan" not in mean:
            continue
        text = f"{study}, {truth}: VR-GAN {mean['vrgan']:.3f}"
        if "vagan" in mean:
            vrgan_ahead = mean["vrgan"] > mean["vagan"]
            ahead = "VR-GAN ahead, as in the paper" if vrgan_ahead else "VA-GAN ahead, unlike the paper"
            text += f" vs VA-GAN {mean['vagan']:.3f}: {ahead}"
        baselines = group[group["kind"] == "baseline"]
        if len(baselines):
            best = baselines.loc[baselines["mean"].idxmax()]
            side = "below" if best["mean"] < mean["vrgan"] else "above"
            name = BASELINES.get(best["method"], best["method"])
            text += f"; the best trivial baseline ({name}, {best['mean']:.3f}) scores {side} VR-GAN"
        lines.append(text + ".")
    return lines


def scale_table(config: Mapping[str, Any], data: Mapping[str, Mapping[str, Any] | None]) -> pd.DataFrame:
    """This run's sizes beside the paper's, per study.

    Parameters
    ----------
    config : mapping
        The workflow config: ``studies`` says which of ``toy`` and ``xray`` ran.
    data : mapping
        ``toy_data`` and ``xray_datasets``: the data stages' summaries (their ``counts``).
    """
    studies = config["studies"]
    table = pd.DataFrame({"setting": list(paper.SCALE), "paper toy": [toy for toy, _ in paper.SCALE.values()]})
    if "toy" in studies:
        table["ours toy"] = _our_scale(config["toy"], str(config["toy"]["data"]["size"]), data.get("toy_data"))
    table["paper x-ray"] = [xray for _, xray in paper.SCALE.values()]
    if "xray" in studies and config.get("xray") is not None:
        side = f"{config['xray']['preprocess']['resize']}, crop {config['xray']['preprocess']['crop']}"
        table["ours x-ray"] = _our_scale(config["xray"], side, data.get("xray_datasets"))
    return table


def _mean_std_n(values: pd.Series) -> str:
    values = values.dropna()
    mean = values.mean() if len(values) else None
    return format_mean_std(mean, values.std(ddof=1) if len(values) > 1 else None, len(values))


def agreement_table(compared: pd.DataFrame) -> pd.DataFrame:
    """NCC of the registration ground truth (and of the unregistered difference) with the
    phantom's true Δx, per split, over all pairs and without failed registrations
    (``truth_vs_registration.csv`` in; mean ± std over pairs, n pairs)."""
    rows = []
    for split, group in compared.groupby("split", sort=True):
        for subset, kept in (("all", group), ("not failed", group[group["registration_status"] != "failed"])):
            rows.append(
                {
                    "split": split,
                    "pairs": subset,
                    "registration Δx vs true Δx": _mean_std_n(kept["ncc_registration_vs_truth"]),
                    "x' − x unregistered vs true Δx": _mean_std_n(kept["ncc_unregistered_vs_truth"]),
                }
            )
    return pd.DataFrame(rows)


def flow_table(flow: pd.DataFrame) -> pd.DataFrame:
    """``flow.csv`` compacted to one row per step: its count, the exclusions and the branches."""

    def listing(rows: pd.DataFrame) -> str:
        return "; ".join(f"{r.reason} {r.n} {r.unit}" for r in rows.itertuples(index=False)) or ""

    rows = []
    for (step, box), group in flow.groupby(["step", "box"], sort=False):
        count = group[group["kind"] == "count"]
        rows.append(
            {
                "step": step,
                "box": box,
                "count": ", ".join(f"{r.n} {r.unit}" for r in count.itertuples(index=False)),
                "excluded": listing(group[group["kind"] == "excluded"]),
                "branches": listing(group[group["kind"] == "branch"]),
            }
        )
    return pd.DataFrame(rows)


def registration_table(registration: pd.DataFrame) -> pd.DataFrame:
    """Per split of ``registration.parquet``: pairs, status counts and the mean NCC of x and x'
    before and after the affine alignment."""
    statuses = [*STATUSES, *sorted(set(registration["status"]) - set(STATUSES))]
    rows = []
    for split, group in registration.groupby("split", sort=True):
        counts = group["status"].value_counts()
        row = {"split": split, "pairs": len(group)} | {s: int(counts.get(s, 0)) for s in statuses}
        row |= {"NCC before": f"{group['ncc_before'].mean():.3f}", "NCC after": f"{group['ncc_after'].mean():.3f}"}
        rows.append(row)
    return pd.DataFrame(rows)


def versions_table(recorded: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Package versions as recorded by each stage (``{stage: {package: version}}``): one row per
    package and version, with the stages that recorded it; ``not installed`` entries are left out."""
    seen: dict[tuple[str, str], list[str]] = {}
    for stage, packages in recorded.items():
        for package, version in packages.items():
            if version != "not installed":
                seen.setdefault((package, version), []).append(stage)
    rows = [{"package": p, "version": v, "recorded by": ", ".join(s)} for (p, v), s in sorted(seen.items())]
    return pd.DataFrame(rows, columns=["package", "version", "recorded by"])


#: The config values that are paths of a user's export: a folder may be named after a patient.
EXPORT_PATH_KEYS = ("dicom_dir", "pft_csv", "transplants_csv")
HIDDEN_PATH = "<a path of your export: not shown>"


def shown_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config as the report shows it: with ``cohort.source`` export, the export's paths
    (:data:`EXPORT_PATH_KEYS`, when set) replaced by :data:`HIDDEN_PATH`; otherwise unchanged."""
    shown = dict(config)
    cohort = config.get("cohort")
    if isinstance(cohort, Mapping) and cohort.get("source") == "export":
        shown["cohort"] = {k: HIDDEN_PATH if k in EXPORT_PATH_KEYS and v is not None else v for k, v in cohort.items()}
    return shown


def _section(title: str, *parts: str) -> str:
    return f"## {title}\n\n" + "\n".join(part for part in parts if part) + "\n"


def _results_section(inputs: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    summaries = {name: inputs.get(name) for name in STUDIES}
    data = {name: inputs.get(name) for name in ("toy_data", "xray_datasets")}
    parts = [
        "Test NCC between each method's Δx and the ground-truth Δx, mean ± std over training seeds "
        "(n = seeds). **The paper's numbers are at paper scale (5 seeds, 224 px, 30 epochs on a GPU); "
        "ours are from this run's config, whose scale is in the second table.** Our trivial baselines "
        "are deterministic (one value, no seeds): a method that does not beat them has not learned to "
        "adapt its map to the image and the desired label. X-ray rows use every test pair, as the paper did.\n",
        markdown_table(results_table(comparison_table(summaries))),
        "Comparing the means:\n\n" + "".join(f"- {line}\n" for line in findings(comparison_table(summaries))),
    ]
    if summaries["xray_summary"] is not None and summaries["xray_summary_truth"] is None:
        parts.append("No phantom-truth row: the cohort is not the demo export, so there is no true Δx.\n")
    studies = config["studies"]
    if "xray" not in studies:
        parts.append("No x-ray rows: `studies` does not list xray.\n")
    elif config.get("xray") is None:
        parts.append("No x-ray rows: the config has no `xray:` section.\n")
    if "toy" not in studies:
        parts.append("No toy rows: `studies` does not list toy.\n")
    not_failed = {k: v for k, v in summaries.items() if v is not None and "pairs" in v.columns}
    if not_failed:
        table = results_table(comparison_table(not_failed, "not_failed"))
        parts += ["X-ray test pairs whose registration did not fail:\n", markdown_table(table)]
    parts += [
        "Scale of this run against the paper's (U-Net width = channels of its first level):\n",
        markdown_table(scale_table(config, data)),
    ]
    if inputs.get("toy_paper_floor") is not None:
        parts += [
            "Toy test NCC by scale: the paper's models, the trivial maps at the paper's scale "
            "(`results/toy/paper_floor.csv`: fitted on the validation pairs, no training) and this run:\n",
            markdown_table(
                scale_ncc_table(summaries["toy_summary"], inputs["toy_paper_floor"], config["toy"]["data"]["size"])
            ),
        ]
    return _section("Results: the paper and ours", *parts)


def _floor_ceiling_section(inputs: Mapping[str, Any]) -> str:
    parts = [
        "Where each method stands between what needs no learning and what is learnable, per study "
        "(test pairs, mean ± std over seeds). **NCC** is the paper's score over the whole image. The "
        "**floor** is the best input-independent map (the same map for every image: the mean "
        "validation ground truth or a constant ring): a method must beat it to show that it reads "
        "the image at all. The **input-specific NCC** correlates Δx − m with the ground truth − m, "
        "m the mean validation ground truth: it is 0 for a constant map and for m itself, and about 0 "
        "for any map that ignores its input, so it measures what a method adapts to the image and "
        "the labels. The "
        "**ceiling**, when the run trains it, is the same network trained on the ground truth itself "
        "(method `supervised`): what is learnable here. On x-rays the NCC inside the registration "
        "overlap leaves out the border where the aligned x' has no pixels (there the registration "
        "ground truth is 0 by construction). **Counterfactual validity**, when that stage runs: an "
        "independent regressor R_ind, trained on the real training images only and never in the "
        "adversarial game, reads x′ = x + Δx; |R_ind(x′) − y′| (lower is better) and the correlation "
        "of R_ind(x′) with y′ say whether x′ carries the asked label.\n",
    ]
    for name, (study, truth, _) in STUDIES.items():
        summary = inputs.get(name)
        if summary is None:
            continue
        table = floor_ceiling_table(summary, inputs.get(VALIDITY[name]))
        parts += [f"**{study}, {truth}**\n", markdown_table(table)]
    return _section("Floor and ceiling", *parts) if len(parts) > 1 else ""


def _ground_truth_section(inputs: Mapping[str, Any]) -> str:
    compared = inputs.get("truth_vs_registration")
    if compared is None:
        return ""
    table = agreement_table(compared)
    return _section(
        "How good is the registration ground truth?",
        "On the demo export the phantom's true disease effect of every pair is known. NCC of the "
        "registration ground truth (x' aligned to x by pystackreg, minus x) with it, mean ± std over "
        "pairs; beside it the plain difference x' − x without alignment. A model whose Δx were the "
        "true effect exactly would score this NCC against the registration ground truth: read the "
        "x-ray scores above in its light.\n",
        markdown_table(table),
    )


def _cohort_section(inputs: Mapping[str, Any]) -> str:
    parts = []
    if inputs.get("flow") is not None:
        parts.append(markdown_table(flow_table(inputs["flow"])))
    if "flow_figure" in inputs:
        link = inputs["flow_figure"]
        parts.append(f"The flow diagram: [flow.png]({link}) (the paper gives counts only: {paper.COHORT}).\n")
    checks = inputs.get("flow_vs_truth")
    if checks is not None:
        counts = checks["result"].value_counts()
        text = f"Flow against the demo export's truth: {len(checks)} checks, {counts.get('agree', 0)} agree, "
        text += f"{counts.get('disagree', 0)} disagree, {counts.get('not_compared', 0)} not compared."
        bad = checks.loc[checks["result"] == "disagree", "check"].tolist()
        parts.append(text + (f" Disagreeing: {', '.join(bad)}." if bad else "") + "\n")
    if inputs.get("registration") is not None:
        parts += [
            "Registration of the validation and test pairs (status thresholds: `xray.registration`; "
            "NCC of x and x' before and after the affine alignment, mean over pairs):\n",
            markdown_table(registration_table(inputs["registration"])),
        ]
    return _section("Cohort and registration", *parts) if parts else ""


def _figures_section(inputs: Mapping[str, Any]) -> str:
    parts = []
    for name, (title, described) in paper.FIGURES.items():
        if name in inputs:
            parts.append(f"### {title}\n\n![{title}]({inputs[name]})\n\n*{described}*\n")
    parts.append("The paper's images are not reproduced here: each line in italics describes the paper's figure.\n")
    return _section("Figures: ours, and the paper's in words", *parts)


def _provenance_section(inputs: Mapping[str, Any], config: Mapping[str, Any], provenance: Mapping[str, Any]) -> str:
    git, host = provenance.get("git", {}), provenance.get("machine", {})
    if git.get("commit"):
        state = " with uncommitted changes to tracked files" if git.get("dirty") else " (clean work tree)"
        commit = f"`{git['commit']}`{state}"
    else:
        commit = f"none ({git.get('note') or 'unknown'})"
    summaries = {name: value for name, value in inputs.items() if isinstance(value, Mapping)}
    recorded = {s.get("stage", name): s["versions"] for name, s in summaries.items() if "versions" in s}
    recorded |= {"report": dict(provenance.get("versions", {}))}
    if provenance.get("snakemake"):
        recorded["workflow"] = {"snakemake": provenance["snakemake"]}
    progression = inputs.get("progression_summary")
    lines = [
        f"- commit: {commit}",
        f"- written: {provenance.get('date', 'unknown')}",
        f"- machine: {host.get('platform', '?')}, {host.get('processor', '?')}, {host.get('cpus', '?')} CPUs, "
        + (f"GPUs: {', '.join(host['gpus'])}" if host.get("gpus") else "no NVIDIA GPU seen"),
    ]
    if progression is not None:
        lines.append(f"- torch device of the progression animation: {progression['counts'].get('device', '?')}")
    return _section(
        "Provenance",
        "\n".join(lines) + "\n",
        "Package versions, as recorded by each stage's summary in its own environment:\n",
        markdown_table(versions_table(recorded)),
        "The exact config of this run:\n",
        "```yaml\n" + to_yaml(shown_config(config)) + "```\n",
    )


def render_summary(inputs: Mapping[str, Any], config: Mapping[str, Any], provenance: Mapping[str, Any]) -> str:
    """The report's markdown.

    Parameters
    ----------
    inputs : mapping of str to object
        What the stages wrote, by name (absent or None: not run): ``toy_summary``,
        ``xray_summary``, ``xray_summary_truth`` (``summary.csv`` tables), ``toy_paper_floor``
        (``paper_floor.csv``), optionally ``toy_validity``, ``xray_validity`` (counterfactual
        validity, ``counterfactual_summary.csv``), ``flow``,
        ``flow_vs_truth``, ``truth_vs_registration`` (csv tables), ``registration`` (the parquet
        table), ``toy_data``, ``xray_datasets``, ``progression_summary`` (stage summaries with
        ``counts`` and ``versions``), and the figures of :data:`vrgan.paper.FIGURES` as links relative to
        the markdown file.
    config : mapping
        The workflow's config, shown in full.
    provenance : mapping
        ``git`` (:func:`vrgan.provenance.git_state`), ``machine`` (:func:`vrgan.provenance.machine`),
        ``date``, ``snakemake`` (its version) and ``versions`` (the report job's packages).
    """
    git = provenance.get("git", {})
    commit = f"`{(git.get('commit') or 'none')[:12]}`" + (" (with uncommitted changes)" if git.get("dirty") else "")
    head = (
        "# VR-GAN reproduction: report\n\n"
        "Visual attribution in regression (Bigolin Lanfredi et al., MICCAI 2019) reproduced by this "
        f"workflow; written by rule `report` on {provenance.get('date', 'unknown')} from commit {commit}. "
        "Every number below was computed by this run at the scale of its config; the paper's are "
        "quoted from its text.\n"
    )
    sections = [
        _results_section(inputs, config),
        _floor_ceiling_section(inputs),
        _ground_truth_section(inputs),
        _cohort_section(inputs),
        _figures_section(inputs),
        _provenance_section(inputs, config, provenance),
    ]
    return head + "\n" + "\n".join(s for s in sections if s)
