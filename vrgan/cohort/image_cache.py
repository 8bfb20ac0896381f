"""The decoded-image cache: a few shard files instead of one file (or job) per image.

Layout of ``<images_dir>`` (``results/cohort/images``):

- ``shard-000.npy``, ``shard-001.npy``, ...: each a 1-D float32 ``.npy`` array, the
  row-major pixels of its images one after the other (images of any size);
- ``index.parquet``: one row per cached image: ``image_key``, ``shard`` (file name),
  ``offset`` (element offset into the shard), ``rows``, ``columns``, and the intensity facts
  (``photometric``, ``inverted``, ``rescale_slope``, ``rescale_intercept``, ``bits_stored``,
  ``cached_min``, ``cached_max``).

An image is ``np.load(shard, mmap_mode="r")[offset:offset + rows * columns]`` reshaped to
``(rows, columns)``: values as ``pixels.intensities_from_stored`` left them (rescaled, VOI
not applied, MONOCHROME1 inverted, float32). Use ``ImageCache`` or ``load_cached_image``.
Shards are planned from the header pass (sizes known up front, independent of the number of
threads) and filled in parallel, one worker per shard; a shard is written through a memory
map, so a worker never holds more than one image.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.format import open_memmap
from numpy.typing import NDArray

from .pixels import CACHE_DTYPE, DecodeRejection, decode_file

INDEX_NAME = "index.parquet"
INDEX_COLUMNS = [
    "image_key",
    "shard",
    "offset",
    "rows",
    "columns",
    "photometric",
    "inverted",
    "rescale_slope",
    "rescale_intercept",
    "bits_stored",
    "cached_min",
    "cached_max",
]


@dataclass(frozen=True)
class ShardItem:
    """One image planned into a shard."""

    record: int  # row position in the ingest table
    path: str
    offset: int
    rows: int
    columns: int


def plan_shards(
    shapes: Sequence[tuple[int, int]], max_images: int = 64, max_bytes: int = 512 * 2**20
) -> list[list[tuple[int, int]]]:
    """Group images, in order, into shards of at most ``max_images`` and ``max_bytes``.

    Parameters
    ----------
    shapes : sequence of (rows, columns)
    max_images : int
    max_bytes : int
        An image larger than this gets a shard of its own.

    Returns
    -------
    list of shards, each a list of ``(position in shapes, element offset)``.
    """
    shards: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    used = 0
    for i, (rows, columns) in enumerate(shapes):
        n = rows * columns
        if current and (len(current) >= max_images or (used + n) * CACHE_DTYPE.itemsize > max_bytes):
            shards.append(current)
            current, used = [], 0
        current.append((i, used))
        used += n
    if current:
        shards.append(current)
    return shards


def write_shard(shard_path: str, items: Sequence[ShardItem]) -> list[dict[str, Any]]:
    """Decode the files of one shard into ``shard_path``.

    Parameters
    ----------
    shard_path : str
        The ``.npy`` file to create.
    items : sequence of ShardItem

    Returns
    -------
    list of dict
        Per item: ``record``, ``status`` (``ok`` or a reason code), ``message`` and, when ok,
        the ``IntensityInfo`` fields.
    """
    total = max((it.offset + it.rows * it.columns for it in items), default=0)
    out = open_memmap(shard_path, mode="w+", dtype=CACHE_DTYPE, shape=(total,))
    results = []
    for it in items:
        try:
            image, info = decode_file(it.path)
            if image.shape != (it.rows, it.columns):
                raise DecodeRejection(
                    "decode_error", f"decoded shape {image.shape} differs from Rows x Columns {(it.rows, it.columns)}"
                )
        except DecodeRejection as rej:
            results.append({"record": it.record, "status": rej.status, "message": rej.message})
            continue
        out[it.offset : it.offset + image.size] = image.ravel()
        results.append({"record": it.record, "status": "ok", "message": "", **info.__dict__})
    out.flush()
    del out
    return results


class ShardedCache:
    """Read access by image key to a folder of ``.npy`` shards and their ``index.parquet``.

    Shared by ``ImageCache`` and ``vrgan.xray.PreprocessedImages``; a subclass says how one
    index row addresses its image in a shard (``load``). Shards are memory-mapped once each.

    Parameters
    ----------
    directory : path-like
        The cache folder.
    """

    label = "cache"  # how error messages name the cache

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)
        self.index = pd.read_parquet(self.directory / INDEX_NAME).set_index("image_key")
        self._shards: dict[str, np.ndarray] = {}

    def __contains__(self, image_key: object) -> bool:
        return image_key in self.index.index

    def __len__(self) -> int:
        return len(self.index)

    def metadata(self, image_key: str) -> dict[str, Any]:
        """The index row of one image."""
        return {"image_key": image_key, **self.index.loc[image_key].to_dict()}

    def _locate(self, image_key: str) -> tuple[np.ndarray, pd.Series]:
        """The (memory-mapped) shard holding ``image_key`` and the image's index row.

        Raises
        ------
        KeyError
            If ``image_key`` is not in the cache.
        """
        if image_key not in self.index.index:
            raise KeyError(f"image key {image_key!r} is not in the {self.label} at {self.directory}")
        row = self.index.loc[image_key]
        shard = self._shards.get(row["shard"])
        if shard is None:
            shard = self._shards[row["shard"]] = np.load(self.directory / row["shard"], mmap_mode="r")
        return shard, row


class ImageCache(ShardedCache):
    """Read access to the cached images by image key.

    Parameters
    ----------
    images_dir : path-like
        The cache folder (``results/cohort/images``).

    Examples
    --------
    >>> cache = ImageCache("results/cohort/images")  # doctest: +SKIP
    >>> image = cache.load(cohort.image_key.iloc[0])  # doctest: +SKIP
    """

    def load(self, image_key: str) -> NDArray[np.float32]:
        """The cached image of shape (rows, columns), float32, as a new array.

        Raises
        ------
        KeyError
            If ``image_key`` is not in the cache.
        """
        shard, row = self._locate(image_key)
        rows, columns, offset = int(row["rows"]), int(row["columns"]), int(row["offset"])
        return np.array(shard[offset : offset + rows * columns]).reshape(rows, columns)


def load_cached_image(images_dir: str | os.PathLike[str], image_key: str) -> NDArray[np.float32]:
    """Load one cached image by its key (see ``ImageCache`` to load many).

    Parameters
    ----------
    images_dir : path-like
        ``results/cohort/images``.
    image_key : str
        ``image_key`` column of ``cohort.parquet`` / ``x_image_key`` of ``pairs.parquet``.

    Returns
    -------
    ndarray of shape (rows, columns), float32
    """
    return ImageCache(images_dir).load(image_key)
