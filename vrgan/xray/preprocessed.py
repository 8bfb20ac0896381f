"""The preprocessed-image cache: every cohort image through ``preprocess_image``, one shard per input shard.

Layout of ``<out_dir>`` (``results/xray/preprocessed``):

- ``shard-NNN.npy``: float32 array of shape (n, S, S), S = ``xray.preprocess.resize``, model
  range (-1, 1]: the cohort images of the decoded cache's shard of the same name, in the order
  of ``index.parquet``;
- ``index.parquet``: one row per preprocessed image: ``image_key, shard, position`` (index
  along the shard's first axis) and the ``PreprocessMetadata`` fields (``original_rows,
  original_columns, crop_top, crop_left, crop_size, resize, equalization, n_levels, source_min,
  source_max``), so the crop and the equalisation of every array can be audited or redone;
- ``manifest.csv``: one row per cohort image: ``image_key, status`` (``ok`` or ``failed``),
  ``reason`` (``not_in_cache`` or the error, e.g. a constant image), ``shard``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from vrgan.artefacts import atomic_write, write_table
from vrgan.cohort import ImageCache
from vrgan.cohort.image_cache import INDEX_NAME, ShardedCache
from vrgan.preprocessing import preprocess_image

__all__ = ["INDEX_NAME", "MANIFEST_NAME", "PreprocessedImages", "preprocess_cohort_images"]

MANIFEST_NAME = "manifest.csv"


def _preprocess_shard(job: tuple[str, str, str, list[str], int]) -> tuple[list[dict], list[dict]]:
    """Preprocess the listed images of one decoded shard into ``out_dir/<shard>``."""
    images_dir, out_dir, shard, keys, size = job
    cache = ImageCache(images_dir)
    arrays, index, manifest = [], [], []
    for key in keys:
        try:
            array, meta = preprocess_image(cache.load(key), size)
        except ValueError as err:
            manifest.append({"image_key": key, "status": "failed", "reason": f"invalid_image: {err}", "shard": shard})
            continue
        index.append({"image_key": key, "shard": shard, "position": len(arrays), **meta.as_dict()})
        manifest.append({"image_key": key, "status": "ok", "reason": "", "shard": shard})
        arrays.append(array)
    stack = np.stack(arrays) if arrays else np.zeros((0, size, size), np.float32)
    with atomic_write(Path(out_dir) / shard) as tmp:
        np.save(tmp, stack)
    return index, manifest


def preprocess_cohort_images(
    image_keys: Iterable[str],
    images_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    size: int,
    threads: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Preprocess cohort images from the decoded cache into per-shard arrays.

    Parameters
    ----------
    image_keys : iterable of str
        ``cohort.parquet:image_key`` (train, validation and test images).
    images_dir : path-like
        The decoded cache (``results/cohort/images``).
    out_dir : path-like
        Created; receives the shards, ``index.parquet`` and ``manifest.csv``.
    size : int
        ``xray.preprocess.resize``.
    threads : int
        Worker processes, one shard at a time each. The output does not depend on it.

    Returns
    -------
    index, manifest : pandas.DataFrame
        As written (see the module docstring).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cache = ImageCache(images_dir)
    keys = list(dict.fromkeys(image_keys))
    missing = [k for k in keys if k not in cache]
    present = cache.index.loc[[k for k in keys if k in cache], ["shard"]].reset_index()
    jobs = [
        (str(images_dir), str(out), shard, group["image_key"].tolist(), int(size))
        for shard, group in present.groupby("shard", sort=True)
    ]
    if threads > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(threads, len(jobs))) as pool:
            results = list(pool.map(_preprocess_shard, jobs))
    else:
        results = [_preprocess_shard(job) for job in jobs]
    index = pd.DataFrame([row for rows, _ in results for row in rows])
    manifest = [row for _, rows in results for row in rows]
    manifest += [{"image_key": k, "status": "failed", "reason": "not_in_cache", "shard": ""} for k in missing]
    manifest = pd.DataFrame(manifest, columns=["image_key", "status", "reason", "shard"])
    if index.empty:
        index = pd.DataFrame(columns=["image_key", "shard", "position"])
    write_table(manifest, out / MANIFEST_NAME)
    write_table(index, out / INDEX_NAME)  # last: a cache is complete when its index exists
    return index, manifest


class PreprocessedImages(ShardedCache):
    """Read access to the preprocessed cache by image key.

    Parameters
    ----------
    directory : path-like
        ``results/xray/preprocessed``.
    """

    label = "preprocessed cache"

    @property
    def size(self) -> int:
        """Side S of the preprocessed images."""
        return int(self.index["resize"].iloc[0])

    def load(self, image_key: str) -> NDArray[np.float32]:
        """One image of shape (S, S), float32 in (-1, 1], as a new array.

        Raises
        ------
        KeyError
            If the image was not preprocessed (see ``manifest.csv`` for why).
        """
        shard, row = self._locate(image_key)
        return np.array(shard[int(row["position"])])

    def load_many(self, image_keys: Iterable[str]) -> NDArray[np.float32]:
        """Images of shape (n, S, S), in the order of ``image_keys``."""
        arrays = [self.load(k) for k in image_keys]
        return np.stack(arrays) if arrays else np.zeros((0, self.size, self.size), np.float32)
