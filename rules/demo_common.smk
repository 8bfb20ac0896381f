# Helpers of the demo wing (rules/demo.smk; library: vrgan/demo): where the synthetic export
# lives, the one choice between it and a user's export, and what the demo adds to the study (its
# truth checks and the phantom's true maps). Included by rules/cohort_common.smk once COHORT is set.
from vrgan.cohort.export import check_export, export_paths, file_digest
from vrgan.cohort.export_tree import export_tree_digest
from vrgan.demo.export import check_demo_settings, demo_export_paths

DEMO_EXPORT = f"{RESULTS}/demo_export"  # written by synth_export
# The one choice: the cohort stages read the demo export or the user's (cohort.source).
DEMO = COHORT is not None and COHORT["source"] == "demo"
# A ground truth beyond registration exists (the phantom's true Δx): on the demo only.
XRAY_TRUTH = DEMO and config.get("xray") is not None
# The x-ray supervised ceiling learns the true maps: on the demo only (refused at load otherwise).
XRAY_SUPERVISED = XRAY_TRUTH and "supervised" in config["xray"]["training"]["methods"]


def cohort_export():
    """The export the cohort stages read, checked, and the fingerprints of its files.

    A user's export is not an input of any job (Snakemake would print its paths): its files are params
    with content fingerprints that rerun a stage when what it reads changes. The demo's are
    the outputs of synth_export, which are rule inputs (no fingerprints needed).
    """
    if DEMO:
        check_demo_settings(COHORT)
        return demo_export_paths(DEMO_EXPORT), dict.fromkeys(
            ("dicom", "pft", "transplants")
        )
    paths = export_paths(COHORT)
    check_export(paths, COHORT["pft_columns"], COHORT["transplant_columns"])
    fingerprints = {
        "dicom": export_tree_digest(paths.dicom_dir),
        "pft": file_digest(paths.pft_csv),
        "transplants": file_digest(paths.transplants_csv),
    }
    return paths, fingerprints


def cohort_export_input(wildcards):
    """The input standing for the export: the demo's truth tables (links the DAG to rule
    synth_export); nothing for a user's export (see cohort_export)."""
    return [rules.synth_export.output.truth] if DEMO else []


def xray_truth_input(wildcards):
    """The phantom's true maps of the evaluation pairs, where they exist."""
    return {"truth_maps": rules.xray_truth_maps.output.maps} if XRAY_TRUTH else {}


def xray_supervised_input(wildcards):
    """The training pairs with their true maps, for the supervised runs only."""
    if wildcards.method != "supervised":
        return {}
    return {"train_pairs": rules.xray_train_pairs.output.pairs}


def demo_outputs():
    """What the demo adds to the final targets (all): the export and its figure, the flow against the truth,
    the registration against the true maps."""
    if not DEMO:
        return []
    outputs = [
        rules.synth_export.output.truth,
        rules.synth_figure.output.figure,
        rules.cohort_flow_vs_truth.output.table,
    ]
    if XRAY_TRUTH:
        outputs.append(rules.xray_truth_maps.output.comparison)
    return outputs


def demo_report_inputs():
    """What the report reads from the demo wing, by name (vrgan.report.render_summary)."""
    if not DEMO:
        return {}
    inputs = {
        "synth_figure": rules.synth_figure.output.figure,
        "flow_vs_truth": rules.cohort_flow_vs_truth.output.table,
    }
    if XRAY_TRUTH:
        inputs["truth_vs_registration"] = rules.xray_truth_maps.output.comparison
    return inputs
