# Helpers shared by the stage files. Keep small.
from vrgan.training import METHODS, settings_from_config

RESULTS = "results"
TRAINING_CODE = [
    "vrgan/models/unet.py",
    "vrgan/models/resnet.py",
    "vrgan/training/data.py",
    "vrgan/training/device.py",
    "vrgan/training/history.py",
    "vrgan/training/inference.py",
    "vrgan/training/loop.py",
    "vrgan/training/methods.py",
    "vrgan/training/settings.py",
]
EVALUATION_CODE = [
    "vrgan/metrics.py",
    "vrgan/evaluation.py",
    "vrgan/training/inference.py",
]


def toy_outputs():
    """Files that make up the toy study."""
    return [
        f"{RESULTS}/toy/{name}"
        for name in ("ncc.csv", "summary.csv", "figure_toy.png", "training_curves.png")
    ]


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
    ).as_dict()


def study_runs(study):
    """(method, seed) of every training run of a study."""
    training = config[study]["training"]
    return [(m, s) for m in training["methods"] for s in training["seeds"]]
