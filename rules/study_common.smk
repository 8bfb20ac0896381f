# Helpers of the rules every study shares (rules/study.smk: training, evaluation, baselines,
# summary) and of the counterfactual validity (rules/counterfactual.smk): which studies train
# models, what differs between them, their data and their runs' checkpoints.

# The studies whose models are trained: toy when it is in `studies`, xray when its stages run.
TRAINED_STUDIES = (["toy"] if "toy" in STUDIES else []) + (
    ["xray"] if XRAY is not None and COHORT is not None else []
)
STUDY_CATEGORY = {"toy": "Toy study", "xray": XRAY_STUDY}  # the report's sections


def study_data(study):
    """The data stage's outputs of a study: train, validation pairs, test pairs."""
    if study == "toy":
        data = rules.toy_data.output
        return {"train": data.train, "val": data.val, "test": data.test}
    data = rules.xray_datasets.output
    return {"train": data.train, "val": data.validation, "test": data.test}


def study_setup(study):
    """What differs between the studies in the rules of rules/study.smk, in one place."""
    if study == "toy":
        return {
            "eval_dir": f"{RESULTS}/toy/eval",  # test_ncc.csv of every run and of the baselines
            "crop": None,  # training images are used whole
            "val_target": "target",  # the exact truth chooses the checkpoint and fits the baselines
            "columns": ["y", "y_prime"],  # per-pair arrays copied into a run's table
            "baseline_columns": [],  # ... and into the baselines' table
            "ring": True,  # the constant-ring baseline (the squares are centred)
            "train_resources": {"runtime": 120, "mem_mb": 8000},
            "summary": {
                "column": "ncc_target",
                "title": "Toy study: validation NCC per epoch",
            },
        }
    return {
        "eval_dir": XRAY_DIR,
        "crop": XRAY["preprocess"]["crop"],
        "val_target": "target_registration",  # the only truth of a real export
        "columns": XRAY_PAIR_COLUMNS,
        "baseline_columns": XRAY_PAIR_COLUMNS,
        "ring": False,
        "train_resources": {"runtime": 240, "mem_mb": 16000},
        "summary": {
            "scores": xray_scores(),
            "subsets": XRAY_PAIR_SUBSETS,
            "title": "X-ray study: validation NCC (registration ground truth) per epoch",
        },
    }


def study_extra_training_input(study):
    """Inputs of a study's training beyond its data: the x-ray supervised ceiling's true pairs."""
    return xray_supervised_input if study == "xray" else lambda wildcards: {}


def study_settings(study):
    """The training rule's settings params of a study (a function of the wildcards)."""
    return lambda wildcards: run_settings(study, wildcards.method, wildcards.seed)


def study_run_files(study, pattern):
    """A per-run output pattern ({method}, {seed}) for every run of a study, in study_runs order."""
    runs = study_runs(study)
    return expand(pattern, zip, method=[m for m, _ in runs], seed=[s for _, s in runs])


def study_checkpoints(study):
    """best.pt of every training run of a study, in the order of study_runs."""
    return study_run_files(study, getattr(rules, f"{study}_train").output.best)


def counterfactual_outputs():
    """Final outputs of the counterfactual stage (rule all)."""
    return [
        f"{RESULTS}/{study}/{name}"
        for study in TRAINED_STUDIES
        for name in ("counterfactual.csv", "counterfactual_summary.csv")
    ]
