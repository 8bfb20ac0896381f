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
            "toy_summary": rules.toy_summary.output.summary,
            "toy_data": rules.toy_data.output.summary,
            "toy_paper_floor": rules.toy_paper_floor.output.table,
            "toy_figure": f"{TOY}/figure_toy.png",
            "toy_curves": rules.toy_summary.output.curves,
        }
    inputs |= (
        demo_report_inputs()
    )  # the export's figure, the flow and registration against the truth
    # counterfactual validity beside the floor-and-ceiling tables (rules/counterfactual.smk)
    for study in TRAINED_STUDIES:
        counterfactual = getattr(rules, f"{study}_counterfactual")
        inputs[f"{study}_validity"] = counterfactual.output.summary
    if COHORT is not None:
        inputs |= {
            "flow": rules.cohort_flow.output.table,
            "flow_figure": rules.cohort_flow.output.figure,
        }
    if XRAY is None or COHORT is None:
        return inputs
    inputs |= {
        "xray_summary": rules.xray_summary.output.summary,
        "xray_datasets": rules.xray_datasets.output.summary,
        "registration": rules.xray_register.output.table,
        "registration_figure": rules.xray_registration_figure.output.figure,
        "xray_curves": rules.xray_summary.output.curves,
    }
    if XRAY_TRUTH:
        inputs["xray_summary_truth"] = f"{XRAY_DIR}/summary_truth.csv"
    if "vrgan" in XRAY["training"]["methods"]:
        inputs |= {
            "attribution_figure": rules.xray_figures.output.attribution,
            "severity_figure": rules.xray_figures.output.severity,
            "progression": rules.xray_progression.output.gif,
            "progression_summary": rules.xray_progression.output.summary,
        }
    return inputs
