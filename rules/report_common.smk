# Helpers of the report (rules/report.smk): its inputs and the provenance it records as params.
from snakemake import __version__ as SNAKEMAKE_VERSION
from vrgan.provenance import git_state

REPORT_DIR = f"{RESULTS}/report"
REPORT_PROVENANCE = {"git": git_state(workflow.basedir), "snakemake": SNAKEMAKE_VERSION}


def report_inputs():
    """What the report reads, by name (vrgan.report.render_summary); figures are linked."""
    inputs = {}
    if "toy" in STUDIES:
        inputs |= {
            "toy_summary": f"{TOY}/summary.csv",
            "toy_data": f"{TOY}/data/summary.json",
            "toy_paper_floor": rules.toy_paper_floor.output.table,
            "toy_figure": f"{TOY}/figure_toy.png",
            "toy_curves": f"{TOY}/training_curves.png",
        }
    if synth_outputs():
        inputs["synth_figure"] = rules.synth_figure.output[0]
    # counterfactual validity beside the floor-and-ceiling tables (rules/counterfactual.smk)
    for study in COUNTERFACTUAL_STUDIES:
        counterfactual = getattr(rules, f"{study}_counterfactual")
        inputs[f"{study}_validity"] = counterfactual.output.summary
    if COHORT is not None:
        inputs |= {
            "flow": f"{COHORT_DIR}/flow.csv",
            "flow_figure": f"{COHORT_DIR}/flow.png",
        }
        if COHORT["source"] == "demo":
            inputs["flow_vs_truth"] = f"{COHORT_DIR}/flow_vs_truth.csv"
    if XRAY is None or COHORT is None:
        return inputs
    inputs |= {
        "xray_summary": f"{XRAY_DIR}/summary.csv",
        "xray_datasets": f"{XRAY_DIR}/data/datasets.json",
        "registration": f"{XRAY_DIR}/registration.parquet",
        "registration_figure": f"{XRAY_DIR}/figure_registration.png",
        "xray_curves": f"{XRAY_DIR}/training_curves.png",
    }
    if XRAY_DEMO:
        inputs["xray_summary_truth"] = f"{XRAY_DIR}/summary_truth.csv"
        inputs["truth_vs_registration"] = f"{XRAY_DIR}/truth_vs_registration.csv"
    if "vrgan" in XRAY["training"]["methods"]:
        inputs |= {
            "attribution_figure": f"{XRAY_DIR}/figure_attribution.png",
            "severity_figure": f"{XRAY_DIR}/figure_severity.png",
            "progression": f"{XRAY_DIR}/progression.gif",
            "progression_summary": f"{XRAY_DIR}/progression.json",
        }
    return inputs
