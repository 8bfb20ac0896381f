"""Ingest stage: every entry under the DICOM folder -> one row of ``ingest.parquet``.

The folder is walked following links (``export_tree.walk_export``); entries that cannot be read
get a row with their reason. Two passes, both parallel over processes (``concurrent.futures``):
a header pass that classifies every file (``dicom_scan.scan_file``), then a decode pass over
the accepted files that fills the image cache shards (``image_cache.write_shard``). Between
them the rejected fraction is checked (duplicates known from the headers counted), so a bad
export stops before the slow part; duplicates are marked after the decode pass, among the
copies that decoded.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from tqdm import tqdm

from vrgan.artefacts import write_table

from .dicom_scan import quiet_pydicom_logger, scan_file
# the walk lives in a module without pydicom (the workflow fingerprints the tree when it loads);
# list_files, export_tree_digest and WORKFLOW_MARKERS stay importable from here
from .export_tree import WORKFLOW_MARKERS, export_tree_digest, list_files, walk_export  # noqa: F401
from .image_cache import INDEX_COLUMNS, INDEX_NAME, ShardItem, plan_shards, write_shard
from .pixels import IntensityInfo
from .privacy import Pseudonymizer
from .reasons import OK

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

#: Columns of ``ingest.parquet`` in order (rejected files have nulls past ``message``,
#: except ``patient_key``/``image_key``/``sop_class``/``transfer_syntax`` when readable).
INGEST_COLUMNS = [
    "file_key",
    "file_bytes",
    "status",
    "message",
    "patient_key",
    "exam_key",
    "image_key",
    "date",
    "date_tag",
    "view",
    "view_source",
    "modality",
    "sop_class",
    "transfer_syntax",
    "image_type",
    "series_number",
    "instance_number",
    "photometric",
    "bits_allocated",
    "bits_stored",
    "pixel_representation",
    "rescale_slope",
    "rescale_intercept",
    "has_modality_lut",
    "rows",
    "columns",
    "stored_min",
    "stored_max",
    "cached_min",
    "cached_max",
    "inverted",
    "rescaled",
    "bits_stored_exceeded",
    "shard",
    "offset",
]


class TooManyRejected(RuntimeError):
    """More than the allowed fraction of files was rejected."""


def _scan_chunk(args: tuple[str, list[str], Pseudonymizer, str]) -> list[dict[str, Any]]:
    dicom_dir, relpaths, pseudo, burned_in_annotation = args
    quiet_pydicom_logger()  # a worker started by "spawn" has not inherited the adapter's logging set-up
    return [scan_file(os.path.join(dicom_dir, rel), pseudo, burned_in_annotation) for rel in relpaths]


def _shard_job(args: tuple[str, list[ShardItem]]) -> list[dict[str, Any]]:
    quiet_pydicom_logger()
    return write_shard(*args)


def _run_parallel(
    func: Callable[[T], list[R]], jobs: Sequence[T], threads: int, sizes: Sequence[int], desc: str, progress: bool
) -> list[list[R]]:
    """``[func(job) for job in jobs]``, over ``threads`` processes, with a tqdm bar in items."""
    results: list[list[R]] = []
    with tqdm(total=sum(sizes), desc=desc, unit="file", disable=not progress, mininterval=2) as bar:
        if threads <= 1 or len(jobs) <= 1:
            for job, n in zip(jobs, sizes):
                results.append(func(job))
                bar.update(n)
        else:
            with ProcessPoolExecutor(max_workers=threads) as pool:
                for res, n in zip(pool.map(func, jobs), sizes):
                    results.append(res)
                    bar.update(n)
    return results


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def scan_files(
    dicom_dir: str | os.PathLike[str],
    pseudo: Pseudonymizer,
    threads: int = 1,
    progress: bool = False,
    burned_in_annotation: str = "accept_absent",
) -> pd.DataFrame:
    """Header pass over every entry of ``dicom_dir`` (``walk_export``).

    Returns
    -------
    pandas.DataFrame
        One row per file, and per entry that cannot be read (``INGEST_COLUMNS`` up to the
        header facts), in path order, plus a private ``_path`` column (absolute path) that
        ``finish_ingest_table`` drops. Duplicates are not marked yet (``mark_duplicates``).
    """
    relpaths, problems = walk_export(dicom_dir)
    chunks = list(_chunks(relpaths, 32))
    parts = _run_parallel(
        _scan_chunk,
        [(str(dicom_dir), c, pseudo, burned_in_annotation) for c in chunks],
        threads,
        [len(c) for c in chunks],
        "header scan",
        progress,
    )
    records = [r for part in parts for r in part]
    records += [{"status": reason, "message": message} for _, reason, message in problems]
    paths = relpaths + [rel for rel, _, _ in problems]
    table = pd.DataFrame(records, columns=[c for c in INGEST_COLUMNS if c != "file_key"])
    table.insert(0, "file_key", [pseudo.file(r) for r in paths])
    # object columns: a name that is not valid UTF-8 holds lone surrogates, which Arrow strings refuse
    table["_path"] = pd.Series([os.path.join(dicom_dir, r) for r in paths], index=table.index, dtype=object)
    table["_order"] = pd.Series(paths, index=table.index, dtype=object)
    return table.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def mark_duplicates(table: pd.DataFrame) -> pd.DataFrame:
    """Mark accepted files whose image key (SOP Instance UID) was seen earlier in path order.

    Run after the decode pass, so that only copies that decode compete: when the first copy
    fails to decode, the next one that decodes is kept. Returns a new table; the first
    accepted file of each image key keeps its status.
    """
    out = table.copy()
    ok = (out["status"] == OK) & out["image_key"].notna()
    dup = pd.Series(False, index=out.index)
    dup[ok] = out.loc[ok, "image_key"].duplicated(keep="first")
    first = out[ok & ~dup].reset_index().set_index("image_key")["file_key"]
    out.loc[dup, "status"] = "duplicate"
    out.loc[dup, "message"] = [f"same SOP Instance UID as file {first[k]}" for k in out.loc[dup, "image_key"]]
    return out


def rejection_summary(table: pd.DataFrame) -> str:
    """One line per status: ``status: count (message examples)``."""
    lines = []
    for status, group in table.groupby("status", sort=True):
        examples = "; ".join(sorted(set(group["message"].fillna("")))[:3])
        lines.append(f"{status}: {len(group)}" + (f" ({examples})" if examples else ""))
    return "\n".join(lines)


def check_rejected_fraction(table: pd.DataFrame, max_fraction: float) -> None:
    """Raise ``TooManyRejected`` with a summary if more than ``max_fraction`` of files failed."""
    n = len(table)
    bad = int((table["status"] != OK).sum())
    if n == 0:
        raise TooManyRejected("no files found under the DICOM folder")
    if bad / n > max_fraction:
        raise TooManyRejected(
            f"{bad} of {n} files rejected ({bad / n:.1%} > max_rejected_fraction {max_fraction:.1%}):\n"
            + rejection_summary(table)
        )


def decode_accepted(
    table: pd.DataFrame,
    images_dir: str | os.PathLike[str],
    threads: int = 1,
    progress: bool = False,
    max_images: int = 64,
    max_bytes: int = 512 * 2**20,
) -> pd.DataFrame:
    """Decode pass: fill the shard files with the accepted files' images, then mark duplicates.

    Every copy of an image that passed the header pass is decoded, and duplicates are marked
    among the copies that decoded (``mark_duplicates``), so a corrupt first copy never hides a
    good second one. A duplicate's pixels stay in its shard, unindexed.

    Returns a new table with decode failures and duplicates re-labelled and the intensity and
    cache-location columns filled; writes ``index.parquet`` in ``images_dir``.
    """
    images_dir = Path(images_dir)
    images_dir.mkdir(parents=True, exist_ok=True)
    out = table.copy()
    decode_columns = ["status", "message", "shard", "offset", *IntensityInfo.__dataclass_fields__]
    out[decode_columns] = out.reindex(columns=decode_columns).astype(object)
    accepted = out.index[out["status"] == OK].tolist()
    shapes = [(int(out.at[i, "rows"]), int(out.at[i, "columns"])) for i in accepted]
    plan = plan_shards(shapes, max_images, max_bytes)
    jobs = []
    for s, shard in enumerate(plan):
        name = f"shard-{s:03d}.npy"
        items = [ShardItem(accepted[p], out.at[accepted[p], "_path"], off, *shapes[p]) for p, off in shard]
        jobs.append((str(images_dir / name), items))
        for item in items:
            out.at[item.record, "shard"] = name
            out.at[item.record, "offset"] = item.offset
    parts = _run_parallel(_shard_job, jobs, threads, [len(j[1]) for j in jobs], "decode", progress)
    for result in (r for part in parts for r in part):
        i = result.pop("record")
        for column, value in result.items():
            out.at[i, column] = value
    out = mark_duplicates(out)
    failed = out["status"] != OK
    out.loc[failed, ["shard", "offset"]] = None
    typed = finish_ingest_table(out)
    cached = typed.loc[~failed & out["shard"].notna(), INDEX_COLUMNS]
    cached = cached.astype({"offset": "int64", "rows": "int64", "columns": "int64", "bits_stored": "int64"})
    write_table(cached.astype({"inverted": "bool"}), images_dir / INDEX_NAME)  # last, atomically: the cache is complete
    return out


def ingest_export(
    dicom_dir: str | os.PathLike[str],
    images_dir: str | os.PathLike[str],
    pseudo: Pseudonymizer,
    max_rejected_fraction: float = 0.5,
    threads: int = 1,
    progress: bool = False,
    burned_in_annotation: str = "accept_absent",
) -> pd.DataFrame:
    """Both passes; see the module docstring.

    ``burned_in_annotation`` (``accept_absent`` or ``reject_absent``) says what the header
    pass does with an image whose BurnedInAnnotation is absent (``dicom_scan.scan_file``).

    Raises
    ------
    TooManyRejected
        After the header pass or the decode pass, with a summary of the reasons.
    """
    table = scan_files(dicom_dir, pseudo, threads, progress, burned_in_annotation)
    expected = mark_duplicates(table)  # the duplicates known so far count as rejected
    log.info("header pass: %d files\n%s", len(table), rejection_summary(expected))
    check_rejected_fraction(expected, max_rejected_fraction)
    table = decode_accepted(table, images_dir, threads, progress)
    log.info("decode pass done\n%s", rejection_summary(table))
    check_rejected_fraction(table, max_rejected_fraction)
    return finish_ingest_table(table)


def finish_ingest_table(table: pd.DataFrame) -> pd.DataFrame:
    """Drop private columns and fix the column order and types of ``ingest.parquet``."""
    out = table.drop(columns=["_path"], errors="ignore").reindex(columns=INGEST_COLUMNS)
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[s]")
    for column in ("status", "message", "shard"):
        out[column] = out[column].astype("str")
    for column in ("inverted", "rescaled", "bits_stored_exceeded", "has_modality_lut"):
        out[column] = out[column].astype("boolean")
    for column in (
        "series_number",
        "instance_number",
        "bits_allocated",
        "bits_stored",
        "pixel_representation",
        "rows",
        "columns",
        "offset",
        "file_bytes",
    ):
        out[column] = pd.to_numeric(out[column]).astype("Int64")
    for column in ("stored_min", "stored_max", "cached_min", "cached_max", "rescale_slope", "rescale_intercept"):
        out[column] = pd.to_numeric(out[column]).astype("float64")
    return out
