# Helpers of the x-ray stages (rules/xray.smk, rules/xray_figures.smk, rules/study.smk): paths, code inputs, final
# outputs and the config checks that run when the workflow loads.
from snakemake.exceptions import WorkflowError

XRAY = config.get("xray")
XRAY_DIR = "results/xray"
XRAY_LOGS = "results/logs/xray"
XRAY_STUDY = "X-ray study"  # the report's section
XRAY_PAIR_COLUMNS = ["pair_id", "y", "y_prime", "registration_status"]
# The primary score uses every test pair (as the paper); the second leaves out failed registrations.
XRAY_PAIR_SUBSETS = {"all": {}, "not_failed": {"registration_status": ["failed"]}}


def xray_outputs():
    """Final outputs of the x-ray stages (none without the xray: and cohort: sections)."""
    if XRAY is None or COHORT is None:
        return []
    outputs = [
        f"{XRAY_DIR}/data/{n}" for n in ("train.npz", "val_pairs.npz", "test_pairs.npz")
    ]
    outputs.append(f"{XRAY_DIR}/figure_registration.png")
    outputs += [
        f"{XRAY_DIR}/{name}"
        for name in ("ncc.csv", "summary.csv", "training_curves.png")
    ]
    if XRAY_TRUTH:
        outputs.append(f"{XRAY_DIR}/summary_truth.csv")
    if "vrgan" in XRAY["training"]["methods"]:
        outputs += [
            f"{XRAY_DIR}/figure_attribution.png",
            f"{XRAY_DIR}/figure_severity.png",
            f"{XRAY_DIR}/progression.gif",
        ]
    return outputs


def xray_scores():
    """Summary output name -> per-pair NCC column: the registration ground truth, and on the
    demo the phantom's true Δx."""
    scores = {"summary": "ncc_registration"}
    if XRAY_TRUTH:
        scores["summary_truth"] = "ncc_truth"
    return scores


def xray_truth_summary():
    """The summary against the phantom's true Δx, on the demo export only (an output dict)."""
    if not XRAY_TRUTH:
        return {}
    path = f"{XRAY_DIR}/summary_truth.csv"
    caption = "../report/ncc_summary.rst"
    return {
        "summary_truth": report(
            path, caption=caption, category="X-ray study", subcategory="Results"
        )
    }


def xray_figure_models(wildcards):
    """The checkpoints drawn in the figures: VR-GAN, and VA-GAN when it is trained."""
    seed = XRAY["figure"]["seed"]
    methods = [m for m in ("vrgan", "vagan") if m in XRAY["training"]["methods"]]
    return {m: f"{XRAY_DIR}/train/{m}/seed{seed}/best.pt" for m in methods}


def xray_config_errors(xray, cohort):
    """What is wrong in the x-ray section beyond the schema (empty list: nothing)."""
    errors = []
    crop, depth = xray["preprocess"]["crop"], xray["models"]["generator"]["depth"]
    if crop > xray["preprocess"]["resize"]:
        errors.append(
            f"xray.preprocess.crop ({crop}) must not exceed "
            f"xray.preprocess.resize ({xray['preprocess']['resize']})"
        )
    if crop % 2**depth:
        errors.append(
            f"xray.preprocess.crop ({crop}) must be divisible by 2**xray.models.generator.depth "
            f"({2**depth}): the U-Net pools it {depth} times"
        )
    if xray["figure"]["seed"] not in xray["training"]["seeds"]:
        errors.append(
            f"xray.figure.seed ({xray['figure']['seed']}) must be one of "
            f"xray.training.seeds {xray['training']['seeds']}"
        )
    severity = xray["figure"]["severity"]
    if not severity["increase"]["y_prime"] < severity["increase"]["y"]:
        errors.append("xray.figure.severity.increase: y_prime must be below y")
    if not severity["decrease"]["y_prime"] > severity["decrease"]["y"]:
        errors.append("xray.figure.severity.decrease: y_prime must be above y")
    if "supervised" in xray["training"]["methods"] and cohort["source"] != "demo":
        errors.append(
            "xray.training.methods: 'supervised' needs the true disease effect, which only the "
            f"demo export has (cohort.source is {cohort['source']!r}): remove it"
        )
    progression = xray["figure"]["progression"]
    if progression["y_prime_start"] == progression["y_prime_end"]:
        errors.append(
            "xray.figure.progression: y_prime_start and y_prime_end must differ"
        )
    return errors


if XRAY is not None and COHORT is not None:
    _errors = xray_config_errors(XRAY, COHORT)
    if _errors:
        raise WorkflowError("xray configuration: " + "; ".join(_errors))
