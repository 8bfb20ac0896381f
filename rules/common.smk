# Helpers shared by the stage files. Keep small.
#
# `localrule: True` marks the rules of seconds on small inputs (summaries, figures of a few
# images, the report, the cohort's table steps, the toy's paper floor): on a cluster they run in
# the main Snakemake process on the login node, since a queued job would wait far longer than it
# works. Data, ingest, preprocessing, registration, training, evaluation and the baselines (the
# whole test set scored at once: about 18 GB on the toy at the paper's scale) stay cluster jobs
# (profiles/slurm).
import os

from vrgan_workflow.imports import modules_used_by
from vrgan.training import METHODS, settings_from_config

RESULTS = "results"
STUDIES = config["studies"]  # toy and/or xray (the cohort and x-ray stages)


def script_code(script):
    """The vrgan modules that workflow_scripts/<script>.py uses, transitively (vrgan_workflow/imports.py).

    The code input of the script's rule: editing one of them re-runs the rule and what follows.
    """
    path = os.path.join(workflow.basedir, "workflow_scripts", f"{script}.py")
    return [
        os.path.relpath(os.path.join(workflow.basedir, module))
        for module in modules_used_by(path, workflow.basedir)
    ]


TRAINING_CODE = script_code("train")  # rules running workflow_scripts/train.py
EVALUATION_CODE = script_code("evaluate")  # rules running workflow_scripts/evaluate.py


def toy_outputs():
    """Files that make up the toy study (none when it is not in ``studies``)."""
    if "toy" not in STUDIES:
        return []
    return [
        f"{RESULTS}/toy/{name}"
        for name in (
            "ncc.csv",
            "summary.csv",
            "paper_floor.csv",
            "figure_toy.png",
            "training_curves.png",
        )
    ]


def class_split(study):
    """VA-GAN's class split of a study: the label threshold its data already define."""
    if study == "toy":
        return config["toy"]["data"]["threshold"]
    return config["cohort"]["copd_threshold"]


def run_settings(study, method, seed):
    """Settings of one training run of a study (``toy`` or ``xray``), as a plain dict.

    Used as the training rule's params, so that a change of any value re-runs that training.
    """
    section = config[study]
    return settings_from_config(
        section["training"],
        section["models"],
        section["vrgan"],
        section["vagan"],
        method,
        int(seed),
        class_split(study),
    ).as_dict()


def study_runs(study):
    """(method, seed) of every training run of a study."""
    training = config[study]["training"]
    return [(m, s) for m in training["methods"] for s in training["seeds"]]
