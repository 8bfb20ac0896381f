"""The tree of an export's DICOM folder: every entry below it (``walk_export``), and a
fingerprint of the entries, their sizes and time stamps (``export_tree_digest``).

Only the standard library is imported here, nothing that reads DICOM: the workflow computes the
fingerprint when it loads (rules/cohort_common.smk), on the machine that drives the jobs, which
need not have pydicom. The ingest (``vrgan.cohort.ingest``) walks the folder with the same
``walk_export``, so the fingerprint covers exactly the entries the ingest reads.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat

log = logging.getLogger(__name__)

#: Files that a workflow manager writes into a folder it made; they are not part of the export.
#: Snakemake keeps the modification time of a ``directory()`` output in ``.snakemake_timestamp``
#: at its top (the demo export's ``dicom/`` is one). Only that exact path is skipped, and logged.
WORKFLOW_MARKERS = (".snakemake_timestamp",)


def walk_export(dicom_dir: str | os.PathLike[str]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Every entry reachable below ``dicom_dir``: the regular files, and the entries that cannot be read.

    Symbolic links are followed; each folder (by device and inode) is walked once, folders
    reached without a link first, so a loop or a second link to a folder cannot list its files
    twice. Nothing is skipped silently: a folder that cannot be listed, a broken link, a link
    to a folder already walked, and anything that is not a regular file or folder is a problem
    entry. Only a workflow marker at the top (``WORKFLOW_MARKERS``) is left out, and logged.

    Parameters
    ----------
    dicom_dir : path-like
        The export's DICOM folder.

    Returns
    -------
    files : list of str
        Sorted POSIX paths relative to ``dicom_dir`` (a name that is not valid UTF-8 keeps its
        bytes as lone surrogates, as ``os.fsdecode`` gives it).
    problems : list of (str, str, str)
        ``(relative path, reason code, message)``, sorted by path. Messages name the OS error
        (``ENOENT``, ``EACCES``, ...), never a path.
    """
    files, problems = _walk(dicom_dir)
    return sorted(files), problems


def _walk(dicom_dir: str | os.PathLike[str]) -> tuple[dict[str, os.stat_result], list[tuple[str, str, str]]]:
    """``walk_export``'s files with the ``os.stat`` the walk took of each (links followed), and its problems."""
    root = os.fspath(dicom_dir)
    files: dict[str, os.stat_result] = {}
    problems: list[tuple[str, str, str]] = []
    seen = {_folder_id(os.stat(root))}
    folders: list[tuple[str, str]] = [("", root)]  # walked first
    links: list[tuple[str, str]] = []  # symbolic links to folders, walked after every plain folder
    while folders or links:
        if not folders:
            rel, path = links.pop(0)
            try:
                ident = _folder_id(os.stat(path))
            except OSError as err:
                problems.append((rel, "unreadable", f"folder link cannot be followed ({os_error_name(err)})"))
                continue
            if ident in seen:
                problems.append((rel, "repeated_folder", "link to a folder already listed; its files are listed once"))
                continue
            seen.add(ident)
            folders.append((rel, path))
        rel, path = folders.pop()
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            problems.append((rel or ".", "unreadable", f"folder cannot be listed ({os_error_name(err)})"))
            continue
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            is_link = False
            try:
                is_link = entry.is_symlink()
                info = os.stat(entry.path)  # follows links
            except OSError as err:
                what = "broken link" if is_link else "entry cannot be read"
                problems.append((child, "unreadable", f"{what} ({os_error_name(err)})"))
                continue
            if stat.S_ISDIR(info.st_mode):
                if is_link:
                    links.append((child, entry.path))
                elif _folder_id(info) in seen:
                    problems.append((child, "repeated_folder", "folder already listed; its files are listed once"))
                else:
                    seen.add(_folder_id(info))
                    folders.append((child, entry.path))
            elif stat.S_ISREG(info.st_mode):
                files[child] = info
            else:
                problems.append((child, "unreadable", "not a regular file (a device, pipe or socket)"))
    skipped = sorted(set(files) & set(WORKFLOW_MARKERS))
    if skipped:
        log.info("skipped workflow marker file(s) %s: not part of the export", ", ".join(skipped))
    return {rel: info for rel, info in files.items() if rel not in skipped}, sorted(problems)


def list_files(dicom_dir: str | os.PathLike[str]) -> list[str]:
    """The regular files of ``walk_export``: sorted POSIX paths relative to ``dicom_dir``."""
    return walk_export(dicom_dir)[0]


def export_tree_digest(dicom_dir: str | os.PathLike[str]) -> str:
    """A fingerprint of what lies below ``dicom_dir``: every entry of ``walk_export`` with the
    size and modification time of each file.

    The ingest's parameter in the workflow, so that adding, removing, replacing or touching a file
    anywhere in the tree reruns the ingest and what depends on it, and an unchanged tree reruns
    nothing (a folder's own time stamp changes only when its direct entries do). Costs the walk
    (one ``stat`` per entry) when the workflow loads; reads no file.

    Returns
    -------
    str
        A SHA-256 hex digest (no path or name of the export can be read back from it).
    """
    files, problems = _walk(dicom_dir)
    digest = hashlib.sha256()
    for rel in sorted(files):
        info = files[rel]
        digest.update(f"F\0{rel}\0{info.st_size}:{info.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    for rel, reason, message in problems:
        digest.update(f"P\0{rel}\0{reason}\0{message}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _folder_id(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def os_error_name(err: OSError) -> str:
    """The symbolic name of an OS error (``ENOENT``), never its text, which names the path."""
    return errno.errorcode.get(err.errno or 0, type(err).__name__)
