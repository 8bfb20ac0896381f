"""Stage artefacts: files written all at once, the small JSON summary beside each table, and the
stage log set-up.

Every file a stage writes goes through :func:`atomic_write`: the data goes to a hidden temporary
beside the target and is renamed onto it when complete, so a job killed mid-write (SIGKILL, a
cluster time limit, a node failure) leaves at most a hidden ``.tmp-*`` file, never a partial file
under the real name that a later stage or a restarted workflow could take for a finished one.
:func:`write_table`, :func:`save_figure` and :func:`write_summary` are the usual cases.

This module imports only the core scientific stack, so every rule's environment can use it.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import secrets
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import pandas as pd
    import numpy as np
    from matplotlib.figure import Figure

__all__ = [
    "PACKAGES",
    "atomic_write",
    "log_to",
    "read_summary",
    "save_figure",
    "save_gif",
    "versions",
    "write_summary",
    "write_table",
]

PACKAGES = (
    "vrgan-pipeline",
    "numpy",
    "pandas",
    "pyarrow",
    "pydicom",
    "pylibjpeg",
    "pylibjpeg-libjpeg",
    "pylibjpeg-openjpeg",
    "pylibjpeg-rle",
    "matplotlib",
)


@contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Create ``path`` all at once: yield a temporary path beside it, renamed onto it on success.

    The caller writes a file, or creates a directory, at the yielded path. The temporary keeps
    ``path``'s name, and so its suffixes (numpy, pandas and matplotlib choose the format from
    them), behind a hidden prefix: ``.tmp-<random>-<name>`` in the same directory, so the rename
    is atomic. On an exception the temporary is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : path-like
        The file or directory to create; its parent directory is created if missing. An existing
        file is replaced; an existing directory is removed just before the rename.

    Yields
    ------
    Path
        Where to write.

    Raises
    ------
    FileNotFoundError
        If nothing was written at the yielded path.

    Examples
    --------
    >>> with atomic_write("results/table.csv") as tmp:  # doctest: +SKIP
    ...     frame.to_csv(tmp, index=False)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{secrets.token_hex(4)}-{path.name}")
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written for {path} (expected {tmp.name})")
        if tmp.is_dir() and path.is_dir():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``frame`` without its index as ``.csv`` or ``.parquet`` (by ``path``'s suffix), atomically.

    Raises
    ------
    ValueError
        If the suffix is neither ``.csv`` nor ``.parquet``.
    """
    suffix = Path(path).suffix
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"write_table writes .csv or .parquet, not {suffix!r} ({path})")
    with atomic_write(path) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)


def save_figure(figure: Figure, path: str | os.PathLike[str], **savefig: Any) -> None:
    """``figure.savefig(path, **savefig)``, atomically; the format follows ``path``'s suffix."""
    with atomic_write(path) as tmp:
        figure.savefig(tmp, **savefig)


def save_gif(frames: Sequence[np.ndarray], path: str | os.PathLike[str], fps: float) -> None:
    """Write ``frames`` as a looping GIF animation, atomically.

    Parameters
    ----------
    frames : sequence of ndarray of shape (H, W), uint8
        Grayscale frames, all of one shape. Consecutive identical frames are merged by the GIF
        writer (their durations add up), so a caller that needs every frame should make them differ.
    path : path-like
        The ``.gif`` to write.
    fps : float
        Frames per second.

    Raises
    ------
    ValueError
        If there is no frame, or a frame is not a 2-D uint8 array of the first frame's shape.
    """
    from PIL import Image  # Pillow is a core dependency; imported here to keep this module light

    if len(frames) == 0:
        raise ValueError(f"no frame to write to {path}")
    for k, frame in enumerate(frames):
        if frame.dtype.name != "uint8" or frame.ndim != 2 or frame.shape != frames[0].shape:
            raise ValueError(
                f"frame {k} is {frame.dtype} of shape {frame.shape}; every frame must be uint8 of shape {frames[0].shape}"
            )
    images = [Image.fromarray(frame) for frame in frames]
    with atomic_write(path) as tmp:
        images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=1000 / fps, loop=0)


def versions(packages: Sequence[str] = PACKAGES) -> dict[str, str]:
    """Python and package versions of this run (``not installed`` for a missing package)."""
    found = {"python": platform.python_version()}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_summary(
    path: str | os.PathLike[str],
    stage: str,
    counts: Mapping[str, Any],
    parameters: Mapping[str, Any],
    packages: Sequence[str] = PACKAGES,
) -> dict[str, Any]:
    """Write ``{"stage", "counts", "parameters", "versions"}`` as JSON, atomically, and return it."""
    payload = {"stage": stage, "counts": dict(counts), "parameters": dict(parameters), "versions": versions(packages)}
    with atomic_write(path) as tmp:
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")
    return payload


def read_summary(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a stage summary written by ``write_summary``."""
    return json.loads(Path(path).read_text())


def log_to(path: str | os.PathLike[str]) -> TextIO:
    """Send logging, warnings and stderr (tqdm) of this process to ``path``.

    The pydicom logger is silenced: its messages can name input files, whose paths may hold
    patient identifiers.
    """
    stream = open(path, "w", buffering=1)  # noqa: SIM115 - lives as long as the process
    sys.stderr = stream
    logging.basicConfig(
        stream=stream, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", force=True
    )
    logging.captureWarnings(True)
    logging.getLogger("pydicom").setLevel(logging.CRITICAL + 1)
    return stream
