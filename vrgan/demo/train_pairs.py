"""Demo only: training pairs with the phantom's true Δx, for the supervised ceiling.

The training split holds no (non-COPD, COPD) pair of one subject by construction (paper 3.2:
those subjects went to validation and test), but training subjects have several exams. Every
ordered pair (a, b) of two exams of one training subject is a training pair: x is a's
preprocessed image, y its label, y' b's label, and the true map is a rendered at b's severity
minus a rendered at its own, through a's preprocessing (``vrgan.demo.truth_maps.truth_map``,
the same rendering as the validation and test truth). Both directions are kept, so the pairs
ask for lower and for higher FEV1/FVC.

``train_pairs_truth.npz`` (for ``vrgan.training.TruthPairBank``, which draws the random crops):

- ``x``, ``target`` (M, S, S) float32 at the preprocessed size S (uncropped);
- ``y``, ``y_prime`` (M,) float32;
- ``pair_id``, ``patient_key`` (M,) str.

This is never built from a real export: there is no truth there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vrgan.cohort import ImageCache, Pseudonymizer
from vrgan.demo.synth.truth import SynthTruth

from vrgan.xray.preprocessed import PreprocessedImages

from .truth_maps import render_truth_maps

__all__ = ["PAIR_COLUMNS", "build_training_pair_truth", "training_pairs"]

PAIR_COLUMNS = ["patient_key", "x_image_key", "x_prime_image_key", "x_prime_exam_key", "y", "y_prime", "split"]


def training_pairs(cohort: pd.DataFrame, splits: pd.DataFrame, images: PreprocessedImages) -> pd.DataFrame:
    """Every ordered pair of two preprocessed images of one training subject.

    Parameters
    ----------
    cohort : pandas.DataFrame
        ``cohort.parquet`` (``patient_key, exam_key, image_key, y``).
    splits : pandas.DataFrame
        ``splits.csv`` (``patient_key, split``).
    images : PreprocessedImages
        Images that were not preprocessed are left out.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PAIR_COLUMNS` (``split`` is ``train``), sorted by subject and keys; a
        subject with n images gives n (n - 1) pairs.
    """
    table = cohort.merge(splits[["patient_key", "split"]], on="patient_key", how="left", validate="many_to_one")
    train = table[(table["split"] == "train") & table["image_key"].map(images.__contains__)]
    train = train[["patient_key", "exam_key", "image_key", "y"]].sort_values(["patient_key", "image_key"])
    pairs = train.merge(train, on="patient_key", suffixes=("", "_prime"))
    pairs = pairs[pairs["image_key"] != pairs["image_key_prime"]]
    out = pd.DataFrame(
        {
            "patient_key": pairs["patient_key"].to_numpy(str),
            "x_image_key": pairs["image_key"].to_numpy(str),
            "x_prime_image_key": pairs["image_key_prime"].to_numpy(str),
            "x_prime_exam_key": pairs["exam_key_prime"].to_numpy(str),
            "y": pairs["y"].to_numpy(np.float32),
            "y_prime": pairs["y_prime"].to_numpy(np.float32),
            "split": "train",
        },
        columns=PAIR_COLUMNS,
    )
    return out.reset_index(drop=True)


def build_training_pair_truth(
    pairs: pd.DataFrame,
    truth: SynthTruth,
    pseudo: Pseudonymizer,
    cache: ImageCache,
    images: PreprocessedImages,
    size: int,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The true Δx of every training pair that links to the truth, with x and the labels.

    Parameters
    ----------
    pairs : pandas.DataFrame
        :func:`training_pairs`.
    truth, pseudo, cache, images, size
        As for :func:`vrgan.demo.truth_maps.render_truth_maps`.

    Returns
    -------
    table : pandas.DataFrame
        Per pair: ``pair_id, split, status, x_reproduced, nonzero_fraction``.
    data : dict of arrays
        See the module docstring (the pairs whose status is ``ok``, in the order of ``pairs``).
    """
    table, maps = render_truth_maps(pairs, truth, pseudo, cache, images, size)
    ok = pairs[(table["status"] == "ok").to_numpy()]
    data = {
        "pair_id": maps["pair_id"],
        "patient_key": ok["patient_key"].to_numpy(str),
        "x": images.load_many(ok["x_image_key"]),
        "y": ok["y"].to_numpy(np.float32),
        "y_prime": ok["y_prime"].to_numpy(np.float32),
        "target": maps["delta"].astype(np.float32),
    }
    return table, data
