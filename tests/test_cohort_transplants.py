"""The transplant list reconciled with the export's patients (vrgan.cohort.transplants)."""

import pytest

from vrgan.cohort import Pseudonymizer
from vrgan.cohort.transplants import (
    TooManyUnmatchedTransplants,
    check_unmatched_transplants,
    id_spellings,
    match_transplant_ids,
)

PSEUDO = Pseudonymizer(b"t" * 32)
PATIENTS = ["00123", "AB12", "42", "7"]


def test_ids_match_as_written_or_after_normalisation_and_the_rest_is_counted():
    known = {PSEUDO.patient(i) for i in PATIENTS}
    found = match_transplant_ids(["7", " 7 ", "123", "ab12", "0042", "999", ""], known, PSEUDO)
    assert found.counts() == {
        "transplant_ids_listed": 5,
        "transplant_ids_matched_as_written": 1,
        "transplant_ids_matched_after_normalisation": 3,
        "transplant_ids_matching_no_patient": 1,
    }
    assert found.patient_keys == {PSEUDO.patient(i) for i in PATIENTS}


def test_spellings_change_case_and_leading_zeros_only():
    assert id_spellings(" 0a1 ", 4) == ["00A1", "00a1", "0A1", "A1", "a1"]
    assert "123" in id_spellings("00123") and "00123" in id_spellings("123") and "1230" not in id_spellings("123")


def test_too_many_unmatched_ids_stop_naming_counts_and_normalisations_not_ids():
    known = {PSEUDO.patient(i) for i in PATIENTS}
    found = match_transplant_ids(["SECRET1", "SECRET2", "7"], known, PSEUDO)
    check_unmatched_transplants(found, 0.7)
    with pytest.raises(TooManyUnmatchedTransplants, match=r"2 of 3 ids .* match no patient .*leading zeros") as err:
        check_unmatched_transplants(found, 0.5)
    assert "SECRET" not in str(err.value)
    check_unmatched_transplants(match_transplant_ids([], known, PSEUDO), 0.0)  # no list: nothing to check
