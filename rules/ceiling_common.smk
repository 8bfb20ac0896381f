# Helpers of the supervised ceiling and of the counterfactual validity (issue 9):
# rules/ceiling.smk, rules/counterfactual.smk.


COUNTERFACTUAL_STUDIES = (["toy"] if "toy" in STUDIES else []) + (
    ["xray"] if XRAY is not None and COHORT is not None else []
)


def study_data(study):
    """The data stage's outputs of a study: train, validation pairs, test pairs."""
    if study == "toy":
        data = rules.toy_data.output
        return {"train": data.train, "val": data.val, "test": data.test}
    data = rules.xray_datasets.output
    return {"train": data.train, "val": data.validation, "test": data.test}


def study_checkpoints(study):
    """best.pt of every training run of a study, in the order of study_runs."""
    best = (rules.toy_train if study == "toy" else rules.xray_train).output.best
    runs = study_runs(study)
    return expand(best, zip, method=[m for m, _ in runs], seed=[s for _, s in runs])


def counterfactual_outputs():
    """Final outputs of the counterfactual stage (rule all)."""
    return [
        f"{RESULTS}/{study}/{name}"
        for study in COUNTERFACTUAL_STUDIES
        for name in ("counterfactual.csv", "counterfactual_summary.csv")
    ]
