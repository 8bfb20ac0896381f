"""Registration ground truth of every validation and test pair (paper section 3.2, Fig. 3).

For each pair of ``pairs.parquet`` the preprocessed x' (COPD, moving) is registered to the
preprocessed x (non-COPD, reference) at the preprocessed size S (``xray.preprocess.resize``,
before any training/evaluation crop, so the crops cut the same map): ``Δx = aligned(x') - x``
(``vrgan.registration``). Outputs:

- a table, one row per pair: ``pair_id, split, patient_key, x_image_key, x_prime_image_key,
  status, reason, ncc_before, ncc_after, ncc_gain, valid_fraction, m00 ... m22`` (the 3 x 3
  matrix row by row, pystackreg's convention: ``(col, row, 1)`` of x's frame to the position
  sampled in x'); a pair whose image was not preprocessed is ``failed`` with reason
  ``image_not_preprocessed`` and NaN numbers;
- the maps (``save_maps``/``load_maps``, an ``.npz``): ``pair_id`` (M,), ``delta`` (M, S, S)
  float32 and ``valid`` (M, S, S) bool, for the pairs that were registered.

``pair_id`` is ``<x_image_key>_<x_prime_image_key>`` (pseudonymous keys; unique, as a pair is
one combination of two exams).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from vrgan.artefacts import atomic_write
from vrgan.registration import RegistrationThresholds, register_pairs

from .preprocessed import PreprocessedImages

__all__ = ["MATRIX_COLUMNS", "load_maps", "pair_ids", "register_cohort_pairs", "save_maps"]

MATRIX_COLUMNS = [f"m{i}{j}" for i in range(3) for j in range(3)]
TABLE_COLUMNS = [
    "pair_id",
    "split",
    "patient_key",
    "x_image_key",
    "x_prime_image_key",
    "status",
    "reason",
    "ncc_before",
    "ncc_after",
    "ncc_gain",
    "valid_fraction",
    *MATRIX_COLUMNS,
]


def pair_ids(pairs: pd.DataFrame) -> pd.Series:
    """``<x_image_key>_<x_prime_image_key>`` of every row of ``pairs.parquet``."""
    return pairs["x_image_key"].astype(str) + "_" + pairs["x_prime_image_key"].astype(str)


def register_cohort_pairs(
    pairs: pd.DataFrame, images: PreprocessedImages, thresholds: RegistrationThresholds, threads: int = 1
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Register every pair of ``pairs.parquet`` on the preprocessed images.

    Parameters
    ----------
    pairs : pandas.DataFrame
        ``pairs.parquet`` (``split, patient_key, x_image_key, x_prime_image_key``, ...).
    images : PreprocessedImages
    thresholds : RegistrationThresholds
        From ``xray.registration``.
    threads : int
        Worker processes for the registrations.

    Returns
    -------
    table : pandas.DataFrame
        One row per pair (see the module docstring), in the order of ``pairs``.
    maps : dict
        ``pair_id`` (M,) str, ``delta`` (M, S, S) float32, ``valid`` (M, S, S) bool.
    """
    table = pairs[["split", "patient_key", "x_image_key", "x_prime_image_key"]].copy()
    table.insert(0, "pair_id", pair_ids(pairs).to_numpy())
    if table["pair_id"].duplicated().any():
        raise ValueError("pairs.parquet holds the same (x, x') pair twice")
    ready = (
        table["x_image_key"].map(images.__contains__) & table["x_prime_image_key"].map(images.__contains__)
    ).to_numpy()
    todo = table[ready]
    results = register_pairs(
        [images.load(k) for k in todo["x_image_key"]],
        [images.load(k) for k in todo["x_prime_image_key"]],
        thresholds,
        threads,
    )
    table["status"], table["reason"] = "failed", "image_not_preprocessed"
    for column in ["ncc_before", "ncc_after", "ncc_gain", "valid_fraction", *MATRIX_COLUMNS]:
        table[column] = np.nan
    rows = np.flatnonzero(ready)
    if results:
        table.iloc[rows, table.columns.get_loc("status")] = [r.status for r in results]
        table.iloc[rows, table.columns.get_loc("reason")] = [r.reason for r in results]
        numbers = {
            "ncc_before": [r.ncc_before for r in results],
            "ncc_after": [r.ncc_after for r in results],
            "valid_fraction": [r.valid_fraction for r in results],
        }
        for column, values in numbers.items():
            table.iloc[rows, table.columns.get_loc(column)] = values
        matrices = np.stack([r.matrix.ravel() for r in results])
        for k, column in enumerate(MATRIX_COLUMNS):
            table.iloc[rows, table.columns.get_loc(column)] = matrices[:, k]
    table["ncc_gain"] = table["ncc_after"] - table["ncc_before"]
    size = images.size if len(images) else 0
    maps = {
        "pair_id": todo["pair_id"].to_numpy(dtype=str),
        "delta": np.stack([r.delta for r in results]) if results else np.zeros((0, size, size), np.float32),
        "valid": np.stack([r.valid for r in results]) if results else np.zeros((0, size, size), bool),
    }
    return table[TABLE_COLUMNS].reset_index(drop=True), maps


def save_maps(path: str | os.PathLike[str], **arrays: np.ndarray) -> None:
    """Write maps (``pair_id`` and (M, S, S) arrays) as an uncompressed ``.npz`` (no pickles), atomically."""
    ids = np.asarray(arrays["pair_id"], dtype=str)
    for name, array in arrays.items():
        if len(array) != len(ids):
            raise ValueError(f"{name} has {len(array)} rows for {len(ids)} pair ids")
    with atomic_write(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **{**arrays, "pair_id": ids})


def load_maps(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read a maps ``.npz`` written by ``save_maps`` into a dict of arrays."""
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}
