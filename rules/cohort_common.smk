# Helpers of the cohort stages (rules/cohort.smk): paths, code inputs and the checks that run
# when the workflow loads, before any job.
from snakemake.exceptions import WorkflowError
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


include: "demo_common.smk"  # DEMO: the demo export or the user's; cohort_export()


def cohort_outputs():
    """Final outputs of the cohort stages (none without a cohort: config section)."""
    if COHORT is None:
        return []
    return [
        f"{COHORT_DIR}/{name}"
        for name in ("flow.csv", "flow.png", "pairs.parquet", "splits.csv")
    ]


if COHORT is not None:
    try:
        COHORT_EXPORT, COHORT_EXPORT_FINGERPRINTS = cohort_export()
        PftChecks.from_settings(COHORT)  # date format and litre ranges
        check_key_location(COHORT["privacy"]["key_file"], "results")
        COHORT_KEY_FINGERPRINT = key_fingerprint(
            load_key_fitting_results(
                COHORT["privacy"]["key_file"],
                [f"{COHORT_DIR}/{name}.json" for name in ("ingest", "pft")],
            )
        )
    except ValueError as err:
        raise WorkflowError(f"cohort configuration: {err}") from None
