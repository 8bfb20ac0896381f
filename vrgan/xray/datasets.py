"""The x-ray datasets the trainer consumes (``results/xray/data/*.npz``; no pickles, strings as unicode).

``train.npz`` (the images of the training subjects, for ``vrgan.training.ImageBank(images, y,
crop=xray.preprocess.crop)``, which draws the random crops):

- ``images`` (N, S, S) float32 in (-1, 1] at the preprocessed size S (uncropped);
- ``y`` (N,) float32 FEV1/FVC; ``copd`` (N,) bool; ``image_key`` (N,) str.

``val_pairs.npz`` / ``test_pairs.npz`` (for ``vrgan.training.EvalPairs(x, y, y_prime, target)``),
every array centre-cropped to C = ``xray.preprocess.crop`` with the same box:

- ``x``, ``x_prime`` (M, C, C) float32: the non-COPD image and the (unaligned) COPD image;
- ``y``, ``y_prime`` (M,) float32;
- ``target_registration`` (M, C, C) float32: aligned(x') - x, 0 outside the aligned image;
  ``registration_valid`` (M, C, C) bool: where the aligned image exists;
- ``registration_status`` (M,) str (``ok``, ``barely_improved``, ``failed``),
  ``ncc_before``, ``ncc_after`` (M,) float64;
- ``target_truth`` (M, C, C) float32: the phantom's true Δx (demo export only);
- ``pair_id``, ``x_image_key``, ``x_prime_image_key`` (M,) str.

Every pair whose two images were preprocessed is kept, whatever its registration status: the
paper scored all pairs, so the primary score uses all of them; scoring again without the
``failed`` ones tells how much bad registrations weigh (``barely_improved`` pairs are kept in
both: their maps are an almost unaligned difference, not an error).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from vrgan.artefacts import atomic_write
from vrgan.preprocessing import centre_crop

from .ground_truth import pair_ids
from .preprocessed import PreprocessedImages

__all__ = ["PAIR_FILES", "build_pair_set", "build_training_set", "write_npz"]

PAIR_FILES = {"validation": "val_pairs.npz", "test": "test_pairs.npz"}


def build_training_set(cohort: pd.DataFrame, splits: pd.DataFrame, images: PreprocessedImages) -> dict[str, np.ndarray]:
    """The preprocessed images of the training subjects with their labels.

    Parameters
    ----------
    cohort : pandas.DataFrame
        ``cohort.parquet`` (``patient_key, image_key, y, copd``).
    splits : pandas.DataFrame
        ``splits.csv`` (``patient_key, split``).
    images : PreprocessedImages

    Returns
    -------
    dict
        ``images`` (N, S, S), ``y`` (N,), ``copd`` (N,), ``image_key`` (N,); images that were
        not preprocessed are left out (they are in the manifest with a reason).
    """
    table = cohort.merge(splits[["patient_key", "split"]], on="patient_key", how="left", validate="many_to_one")
    train = table[(table["split"] == "train") & table["image_key"].map(images.__contains__)]
    train = train.sort_values("image_key", kind="stable")
    return {
        "images": images.load_many(train["image_key"]),
        "y": train["y"].to_numpy(np.float32),
        "copd": train["copd"].to_numpy(bool),
        "image_key": train["image_key"].to_numpy(str),
    }


def build_pair_set(
    split: str,
    pairs: pd.DataFrame,
    registration: pd.DataFrame,
    registration_maps: dict[str, np.ndarray],
    images: PreprocessedImages,
    crop: int,
    truth_maps: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The evaluation pairs of one split, centre-cropped, with their ground truths.

    Parameters
    ----------
    split : str
        ``validation`` or ``test``.
    pairs : pandas.DataFrame
        ``pairs.parquet`` (for ``y``, ``y_prime``).
    registration : pandas.DataFrame
        ``registration.parquet``.
    registration_maps, truth_maps : dict
        ``load_maps`` of ``registration_maps.npz`` / ``truth_maps.npz`` (None: no truth).
    images : PreprocessedImages
    crop : int
        ``xray.preprocess.crop``.

    Returns
    -------
    dict of arrays (see the module docstring)

    Raises
    ------
    ValueError
        If a kept pair has no registration map, or no truth map when ``truth_maps`` is given.
    """
    labels = pairs.assign(pair_id=pair_ids(pairs))
    table = registration[registration["split"] == split].merge(
        labels[["pair_id", "y", "y_prime"]], on="pair_id", how="left", validate="one_to_one"
    )
    have = table["x_image_key"].map(images.__contains__) & table["x_prime_image_key"].map(images.__contains__)
    table = table[have]
    reg_row = {p: k for k, p in enumerate(registration_maps["pair_id"])}
    missing = sorted(set(table["pair_id"]) - set(reg_row))
    if missing:
        raise ValueError(f"{len(missing)} {split} pair(s) have no registration map, e.g. {missing[0]}")
    order = [reg_row[p] for p in table["pair_id"]]
    data = {
        "pair_id": table["pair_id"].to_numpy(str),
        "x_image_key": table["x_image_key"].to_numpy(str),
        "x_prime_image_key": table["x_prime_image_key"].to_numpy(str),
        "x": centre_crop(images.load_many(table["x_image_key"]), crop),
        "x_prime": centre_crop(images.load_many(table["x_prime_image_key"]), crop),
        "y": table["y"].to_numpy(np.float32),
        "y_prime": table["y_prime"].to_numpy(np.float32),
        "target_registration": centre_crop(registration_maps["delta"][order], crop),
        "registration_valid": centre_crop(registration_maps["valid"][order], crop),
        "registration_status": table["status"].to_numpy(str),
        "ncc_before": table["ncc_before"].to_numpy(np.float64),
        "ncc_after": table["ncc_after"].to_numpy(np.float64),
    }
    if truth_maps is not None:
        truth_row = {p: k for k, p in enumerate(truth_maps["pair_id"])}
        missing = sorted(set(table["pair_id"]) - set(truth_row))
        if missing:
            raise ValueError(f"{len(missing)} {split} pair(s) have no truth map, e.g. {missing[0]}")
        data["target_truth"] = centre_crop(truth_maps["delta"][[truth_row[p] for p in table["pair_id"]]], crop)
    return data


def write_npz(path: str | os.PathLike[str], data: dict[str, np.ndarray]) -> None:
    """Write a dataset as an uncompressed ``.npz`` (memory-friendly to load, no pickles), atomically."""
    with atomic_write(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **data)
