"""The lung-transplant list reconciled with the export's patients.

An id of the transplant list that matches no DICOM Patient ID would exclude nobody, silently.
``match_transplant_ids`` first looks for the id as written (surrounding whitespace ignored),
then for its other spellings (``id_spellings``: upper and lower case, leading zeros removed or
added, so ``123`` finds ``00123``), and counts what matched how. ``check_unmatched_transplants``
stops the run when too large a fraction of the list still matches no patient. Ids are compared
through their keyed hashes, so the original Patient IDs of the export are never needed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from .privacy import Pseudonymizer

#: Longest Patient ID (VR LO): leading zeros are added up to this length.
MAX_ID_LENGTH = 64
NORMALISATIONS = "surrounding whitespace, upper/lower case, leading zeros removed or added up to 64 characters"


class TooManyUnmatchedTransplants(ValueError):
    """More than the allowed fraction of transplant ids matches no patient of the export."""


def id_spellings(patient_id: str, max_length: int = MAX_ID_LENGTH) -> list[str]:
    """Other spellings of an id: case changed, leading zeros removed or added (whitespace stripped).

    Parameters
    ----------
    patient_id : str
    max_length : int
        Zeros are added up to this length.

    Returns
    -------
    list of str
        Sorted, without ``patient_id`` itself (stripped).

    Examples
    --------
    >>> id_spellings("0a1", 4)
    ['00A1', '00a1', '0A1', 'A1', 'a1']
    """
    stripped = patient_id.strip()
    spellings = set()
    for cased in {stripped, stripped.upper(), stripped.lower()}:
        bare = cased.lstrip("0")
        spellings |= {cased, bare} | {bare.rjust(n, "0") for n in range(len(bare) + 1, max_length + 1)}
    return sorted(spellings - {stripped, ""})


@dataclass(frozen=True)
class TransplantMatch:
    """How the transplant list matched the export's patients (counts of list ids)."""

    patient_keys: frozenset[str] = field(default_factory=frozenset)
    listed: int = 0
    matched_as_written: int = 0
    matched_after_normalisation: int = 0
    matching_no_patient: int = 0

    def counts(self) -> dict[str, int]:
        """The counts, for the stage summary and the flow."""
        return {
            "transplant_ids_listed": self.listed,
            "transplant_ids_matched_as_written": self.matched_as_written,
            "transplant_ids_matched_after_normalisation": self.matched_after_normalisation,
            "transplant_ids_matching_no_patient": self.matching_no_patient,
        }


def match_transplant_ids(
    transplant_ids: Iterable[str], known_patient_keys: Collection[str], pseudo: Pseudonymizer
) -> TransplantMatch:
    """Patient keys of the transplant list, matched as written or after normalisation.

    Parameters
    ----------
    transplant_ids : iterable of str
        Original ids of the transplant list (``read_transplant_patients``).
    known_patient_keys : collection of str
        Patient keys of the export (``ingest.parquet`` ``patient_key``).
    pseudo : Pseudonymizer

    Returns
    -------
    TransplantMatch
        An id that matches no patient as written takes every patient one of its spellings
        matches (excluding too many transplant patients is the safe side).
    """
    known = set(known_patient_keys)
    keys: set[str] = set()
    exact = normalised = none = 0
    ids = sorted({i.strip() for i in transplant_ids if i.strip()})
    for patient_id in ids:
        key = pseudo.patient(patient_id)
        if key in known:
            keys.add(key)
            exact += 1
            continue
        found = {pseudo.patient(s) for s in id_spellings(patient_id)} & known
        if found:
            keys |= found
            normalised += 1
        else:
            none += 1
    return TransplantMatch(frozenset(keys), len(ids), exact, normalised, none)


def check_unmatched_transplants(match: TransplantMatch, max_fraction: float) -> None:
    """Stop when more than ``max_fraction`` of the listed ids match no patient.

    Raises
    ------
    TooManyUnmatchedTransplants
        Naming the counts and the normalisations tried (never an id).
    """
    if match.listed and match.matching_no_patient / match.listed > max_fraction:
        raise TooManyUnmatchedTransplants(
            f"{match.matching_no_patient} of {match.listed} ids of cohort.transplants_csv match no patient of the "
            f"export ({match.matching_no_patient / match.listed:.1%} > cohort.max_unmatched_transplant_fraction "
            f"{max_fraction:.1%}), also after trying {NORMALISATIONS}; "
            f"{match.matched_after_normalisation} matched only after normalisation. Check that the column "
            "cohort.transplant_columns.patient_id holds the DICOM PatientID"
        )
