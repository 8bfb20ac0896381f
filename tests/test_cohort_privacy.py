"""Keys and date shifts (vrgan.cohort.privacy)."""

import datetime as dt
import json
import os
import stat

import pytest

from vrgan.cohort.privacy import (
    KeyDoesNotFitResults,
    Pseudonymizer,
    check_key_location,
    date_shift_days,
    key_fingerprint,
    keyed_hash,
    load_key_fitting_results,
    load_or_create_key,
)


def test_key_is_created_once_privately_and_reused(tmp_path):
    path = tmp_path / "sub" / ".vrgan-key"
    key = load_or_create_key(path)
    assert len(key) == 32 and load_or_create_key(path) == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [".vrgan-key"]  # no temporary file left
    path.write_text("short")
    with pytest.raises(ValueError, match="64 hex characters"):
        load_or_create_key(path)


def test_keyed_hash_depends_on_key_kind_and_value():
    a = keyed_hash(b"a" * 32, "patient", "123")
    assert len(a) == 16 and a == keyed_hash(b"a" * 32, "patient", " 123 ")
    assert a != keyed_hash(b"b" * 32, "patient", "123")
    assert a != keyed_hash(b"a" * 32, "study", "123")
    assert "123" not in a


def test_date_shift_is_deterministic_and_in_range():
    shifts = [date_shift_days(b"k" * 32, f"p{i}", 10, 20) for i in range(200)]
    assert min(shifts) == 10 and max(shifts) == 20
    assert shifts == [date_shift_days(b"k" * 32, f"p{i}", 10, 20) for i in range(200)]
    with pytest.raises(ValueError, match="min_days"):
        date_shift_days(b"k" * 32, "p", 0, 3)


def test_pseudonymizer_never_shows_its_key():
    pseudo = Pseudonymizer(b"s" * 32)
    assert "sss" not in repr(pseudo) and (b"s" * 32).hex() not in repr(pseudo)
    assert pseudo.shift(dt.date(2015, 1, 1), "x") < dt.date(2005, 1, 2)


def test_a_key_file_under_results_is_refused(tmp_path):
    check_key_location(tmp_path / ".vrgan-key", tmp_path / "results")
    for inside in ("results/.vrgan-key", "results/sub/../k", "results"):
        with pytest.raises(ValueError, match=r"cohort\.privacy\.key_file .* lies under .*results/"):
            check_key_location(tmp_path / inside, tmp_path / "results")


def test_no_new_or_other_key_while_results_were_made_with_another(tmp_path):
    key_file, summary = tmp_path / ".vrgan-key", tmp_path / "results" / "ingest.json"
    key = load_key_fitting_results(key_file, [summary])  # no outputs yet: the key is created
    summary.parent.mkdir()
    summary.write_text(json.dumps({"parameters": {"key_fingerprint": key_fingerprint(key)}}))
    assert load_key_fitting_results(key_file, [summary, tmp_path / "absent.json"]) == key
    key_file.rename(tmp_path / "backup")
    with pytest.raises(
        KeyDoesNotFitResults, match=r"key_file .* does not exist, but .*ingest\.json was made .*Restore the key file"
    ):
        load_key_fitting_results(key_file, [summary])
    assert not key_file.exists()  # no new key was made
    key_file.write_text("ab" * 32 + "\n")
    with pytest.raises(KeyDoesNotFitResults, match=r"holds the key of fingerprint \w+, but .* start over: delete"):
        load_key_fitting_results(key_file, [summary])
