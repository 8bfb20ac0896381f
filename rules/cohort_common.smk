# Helpers of the cohort stages (rules/cohort.smk): paths, code inputs and the checks that run
# when the workflow loads, before any job.
from snakemake.exceptions import WorkflowError
from vrgan.cohort.export import (
    check_demo_settings,
    check_export,
    export_paths,
    file_digest,
)
from vrgan.cohort.export_tree import export_tree_digest
from vrgan.cohort.pft import PftChecks
from vrgan.cohort.privacy import (
    check_key_location,
    key_fingerprint,
    load_key_fitting_results,
)

# the cohort stages run for the x-ray study only (studies: [toy] plans none of them)
COHORT = config["cohort"] if "xray" in STUDIES else None
COHORT_DIR = "results/cohort"
COHORT_LOGS = "results/logs/cohort"
DEMO_TRUTH = "results/demo_export/truth"  # directory output of rule synth_export


def cohort_outputs():
    """Final outputs of the cohort stages (none without a cohort: config section)."""
    if COHORT is None:
        return []
    outputs = [
        f"{COHORT_DIR}/{name}"
        for name in ("flow.csv", "flow.png", "pairs.parquet", "splits.csv")
    ]
    if COHORT["source"] == "demo":
        outputs.append(f"{COHORT_DIR}/flow_vs_truth.csv")
    return outputs


def synth_outputs():
    """The demo export and its figure, when the cohort reads the demo export (rule all)."""
    if COHORT is None or COHORT["source"] != "demo":
        return []
    return [f"{SYNTH_EXPORT}/truth", f"{SYNTH_EXPORT}/figure_subjects.png"]


def cohort_export_input():
    """The input standing for the export: the demo's truth summary (links the DAG to rule
    synth_export). A user's export is no input: Snakemake would print its paths; its files
    are params instead, with the fingerprints (COHORT_EXPORT_FINGERPRINTS) that rerun a stage
    when what it reads changes."""
    if COHORT["source"] == "demo":
        return [DEMO_TRUTH]
    return []


if COHORT is not None:
    try:
        COHORT_EXPORT = export_paths(COHORT)
        PftChecks.from_settings(COHORT)  # date format and litre ranges
        check_demo_settings(COHORT)
        # params of the stages that read the export: a file added, removed or changed anywhere
        # under dicom_dir reruns the ingest, a changed PFT or transplant table its stage (the
        # demo export is made by rule synth_export, whose outputs are the inputs)
        COHORT_EXPORT_FINGERPRINTS = dict.fromkeys(("dicom", "pft", "transplants"))
        if COHORT["source"] == "export":
            check_export(
                COHORT_EXPORT, COHORT["pft_columns"], COHORT["transplant_columns"]
            )
            COHORT_EXPORT_FINGERPRINTS = {
                "dicom": export_tree_digest(COHORT_EXPORT.dicom_dir),
                "pft": file_digest(COHORT_EXPORT.pft_csv),
                "transplants": file_digest(COHORT_EXPORT.transplants_csv),
            }
        check_key_location(COHORT["privacy"]["key_file"], "results")
        COHORT_KEY_FINGERPRINT = key_fingerprint(
            load_key_fitting_results(
                COHORT["privacy"]["key_file"],
                [f"{COHORT_DIR}/{name}.json" for name in ("ingest", "pft")],
            )
        )
    except ValueError as err:
        raise WorkflowError(f"cohort configuration: {err}") from None
