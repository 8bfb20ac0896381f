# Helpers of the x-ray stages (rules/xray.smk): paths, code inputs, final outputs and the
# config check that runs when the workflow loads.
from snakemake.exceptions import WorkflowError

XRAY = config.get("xray")
XRAY_DIR = "results/xray"
XRAY_LOGS = "results/logs/xray"
XRAY_DEMO = COHORT is not None and COHORT["source"] == "demo"


def xray_outputs():
    """Final outputs of the x-ray stages (none without the xray: and cohort: sections)."""
    if XRAY is None or COHORT is None:
        return []
    outputs = [
        f"{XRAY_DIR}/data/{n}" for n in ("train.npz", "val_pairs.npz", "test_pairs.npz")
    ]
    outputs.append(f"{XRAY_DIR}/figure_registration.png")
    if XRAY_DEMO:
        outputs.append(f"{XRAY_DIR}/truth_vs_registration.csv")
    return outputs


def xray_truth_input(wildcards):
    """The phantom's true maps, on the demo export only."""
    return {"truth_maps": f"{XRAY_DIR}/truth_maps.npz"} if XRAY_DEMO else {}


if XRAY is not None and COHORT is not None:
    if XRAY["preprocess"]["crop"] > XRAY["preprocess"]["resize"]:
        raise WorkflowError(
            f"xray.preprocess.crop ({XRAY['preprocess']['crop']}) must not exceed "
            f"xray.preprocess.resize ({XRAY['preprocess']['resize']})"
        )
