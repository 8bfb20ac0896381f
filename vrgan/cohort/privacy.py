"""Pseudonymous keys and per-patient date shifts.

Identifying values (the original Patient ID, UIDs, file paths) are replaced by keyed hashes
(HMAC-SHA256, hex, truncated) before anything is written under ``results/``; dates are moved
back by a keyed, deterministic number of days per patient, the same for x-rays and PFTs, so
intervals within a patient (the 30-day window) are kept exactly (PS3.15 "Retain Longitudinal
Temporal Information with Modified Dates").

The key is a random 32-byte secret kept outside ``results/`` (default ``.vrgan-key`` at the
repository root, git-ignored); it is created once, atomically, on first use, and never while
``results/`` holds outputs made with another key (``load_key_fitting_results``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

KEY_BYTES = 32


def load_or_create_key(path: str | os.PathLike[str]) -> bytes:
    """Read the pseudonymisation key, creating it first if the file does not exist.

    Creation is atomic and race-free: the key is written to a private temporary file in the
    same folder, which is then hard-linked to ``path`` (a link fails if ``path`` appeared in
    the meantime, in which case the existing key wins).

    Parameters
    ----------
    path : path-like
        Key file; holds 64 hex characters.

    Returns
    -------
    key : bytes
        The 32-byte key.

    Raises
    ------
    ValueError
        If the file exists but does not hold a 64-character hex key.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(KEY_BYTES) + "\n")
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(f"privacy key file {path} must hold {2 * KEY_BYTES} hex characters")
    return key


def keyed_hash(key: bytes, kind: str, value: str, n_hex: int = 16) -> str:
    """HMAC-SHA256 of ``kind:value``, as ``n_hex`` lowercase hex characters.

    Parameters
    ----------
    key : bytes
        The pseudonymisation key.
    kind : str
        Name space (``"patient"``, ``"study"``, ``"image"``, ``"file"``) so that equal strings
        of different kinds get unrelated keys.
    value : str
        The identifying value; surrounding whitespace is ignored. A path from ``os.walk`` that
        is not valid UTF-8 (lone surrogates) is hashed as its raw bytes.
    n_hex : int
        Number of hex characters kept (16 = 64 bits).

    Returns
    -------
    str
    """
    if not 8 <= n_hex <= 64:
        raise ValueError(f"n_hex must be in [8, 64], got {n_hex}")
    # surrogateescape: a file name that is not valid UTF-8 reaches Python with its raw bytes
    # as lone surrogates (PEP 383); this encodes them back to those bytes (valid text is unchanged).
    msg = f"{kind}:{value.strip()}".encode("utf-8", "surrogateescape")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:n_hex]


def patient_key(key: bytes, patient_id: str, n_hex: int = 16) -> str:
    """Pseudonymous patient key: the same for a DICOM Patient ID and the PFT ``patient_id``."""
    return keyed_hash(key, "patient", patient_id, n_hex)


def key_fingerprint(key: bytes) -> str:
    """Short public fingerprint of the key, so that a new key re-runs the stages."""
    return keyed_hash(key, "fingerprint", "vrgan", 12)


def date_shift_days(key: bytes, patient_id: str, min_days: int, max_days: int) -> int:
    """Number of days by which every date of a patient is moved back.

    Parameters
    ----------
    key : bytes
    patient_id : str
        Original patient id (the shift must agree between DICOM and PFT tables).
    min_days, max_days : int
        Inclusive range of the shift, ``1 <= min_days <= max_days``.

    Returns
    -------
    int
        A value in ``[min_days, max_days]``, uniform over patients, fixed for a patient.
    """
    if not 1 <= min_days <= max_days:
        raise ValueError(f"need 1 <= min_days <= max_days, got {min_days}, {max_days}")
    message = f"date-shift:{patient_id.strip()}".encode("utf-8", "surrogateescape")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return min_days + int.from_bytes(digest[:8], "big") % (max_days - min_days + 1)


def shift_date(date: dt.date, shift_days: int) -> dt.date:
    """Move ``date`` back by ``shift_days`` days."""
    return date - dt.timedelta(days=shift_days)


class Pseudonymizer:
    """All keyed replacements of one run, with one key and one set of settings.

    Parameters
    ----------
    key : bytes
        The pseudonymisation key (``load_or_create_key``).
    n_hex : int
        Hex characters kept in every key (16 = 64 bits).
    shift_min_days, shift_max_days : int
        Inclusive range of the per-patient backwards date shift.
    """

    def __init__(self, key: bytes, n_hex: int = 16, shift_min_days: int = 3653, shift_max_days: int = 7305):
        if not 1 <= shift_min_days <= shift_max_days:
            raise ValueError(f"need 1 <= shift_min_days <= shift_max_days, got {shift_min_days}, {shift_max_days}")
        self.key = key
        self.n_hex = n_hex
        self.shift_min_days = shift_min_days
        self.shift_max_days = shift_max_days

    def __repr__(self) -> str:  # never show the key
        return f"Pseudonymizer(fingerprint={key_fingerprint(self.key)!r}, n_hex={self.n_hex})"

    def patient(self, patient_id: str) -> str:
        """Patient key of an original Patient ID / PFT patient id."""
        return patient_key(self.key, patient_id, self.n_hex)

    def exam(self, study_instance_uid: str) -> str:
        """Exam key of a StudyInstanceUID (one exam = one study)."""
        return keyed_hash(self.key, "study", study_instance_uid, self.n_hex)

    def image(self, sop_instance_uid: str) -> str:
        """Image key of a SOPInstanceUID."""
        return keyed_hash(self.key, "image", sop_instance_uid, self.n_hex)

    def file(self, relative_path: str) -> str:
        """File key of a path relative to the DICOM folder (paths may hold identifiers)."""
        return keyed_hash(self.key, "file", relative_path, self.n_hex)

    def shift(self, date: dt.date, patient_id: str) -> dt.date:
        """``date`` moved back by the patient's keyed shift."""
        days = date_shift_days(self.key, patient_id, self.shift_min_days, self.shift_max_days)
        return shift_date(date, days)


class KeyDoesNotFitResults(ValueError):
    """The key would differ from the one the existing cohort outputs were made with."""


def check_key_location(key_file: str | os.PathLike[str], results_dir: str | os.PathLike[str] = "results") -> None:
    """Refuse a key file inside the results folder (results are shared; the key must not be).

    Raises
    ------
    ValueError
        Naming ``cohort.privacy.key_file`` and the folder.
    """
    key, results = Path(key_file).resolve(), Path(results_dir).resolve()
    if key == results or results in key.parents:
        raise ValueError(
            f"cohort.privacy.key_file {key_file} lies under {results_dir}/, which is shared and deleted to start "
            "over: keep the key outside it (default .vrgan-key at the repository root)"
        )


def recorded_key_fingerprints(summaries: Iterable[str | os.PathLike[str]]) -> dict[str, str]:
    """The key fingerprint recorded in each existing stage summary (``parameters.key_fingerprint``).

    Parameters
    ----------
    summaries : iterable of path-like
        Stage summaries (``results/cohort/ingest.json``, ...); missing ones are skipped.

    Returns
    -------
    dict
        Path (as given) to fingerprint, for the summaries that exist and record one.
    """
    found = {}
    for path in summaries:
        try:
            parameters = json.loads(Path(path).read_text()).get("parameters", {})
        except (OSError, ValueError):
            continue
        if parameters.get("key_fingerprint"):
            found[str(path)] = str(parameters["key_fingerprint"])
    return found


def load_key_fitting_results(key_file: str | os.PathLike[str], summaries: Iterable[str | os.PathLike[str]]) -> bytes:
    """``load_or_create_key``, refusing a key other than the one the existing outputs were made with.

    A new key (a fresh clone, another working folder, a deleted key file) would rerun every
    stage under new pseudonyms beside outputs that use the old ones; this stops first.

    Parameters
    ----------
    key_file : path-like
        ``cohort.privacy.key_file``.
    summaries : iterable of path-like
        Stage summaries that record the key fingerprint (``recorded_key_fingerprints``).

    Returns
    -------
    bytes
        The key.

    Raises
    ------
    KeyDoesNotFitResults
        When the key file is missing (it is not created) or has another fingerprint, while a
        summary records one; the message says how to restore the key or start over.
    """
    recorded = recorded_key_fingerprints(summaries)
    start_over = (
        "Restore the key file from your backup, or start over: delete results/ (every output made with the old "
        "key), and a new key is made on the next run."
    )
    if recorded and not Path(key_file).exists():
        where, fingerprint = next(iter(recorded.items()))
        raise KeyDoesNotFitResults(
            f"cohort.privacy.key_file {key_file} does not exist, but {where} was made with the key of fingerprint "
            f"{fingerprint}: a new key would give every patient a new pseudonym. {start_over}"
        )
    key = load_or_create_key(key_file)
    fingerprint = key_fingerprint(key)
    other = {where: f for where, f in recorded.items() if f != fingerprint}
    if other:
        where, old = next(iter(other.items()))
        raise KeyDoesNotFitResults(
            f"cohort.privacy.key_file {key_file} holds the key of fingerprint {fingerprint}, but {where} was made "
            f"with fingerprint {old}. {start_over}"
        )
    return key


def pseudonymizer_from_settings(privacy: dict) -> Pseudonymizer:
    """A ``Pseudonymizer`` from the ``cohort.privacy`` config section (creates the key file
    on first use)."""
    return Pseudonymizer(
        load_or_create_key(privacy["key_file"]),
        privacy["key_hex_chars"],
        privacy["date_shift_min_days"],
        privacy["date_shift_max_days"],
    )
