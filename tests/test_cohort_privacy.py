"""Keys and date shifts (vrgan.cohort.privacy)."""

import datetime as dt
import os
import stat

import pytest

from vrgan.cohort.privacy import Pseudonymizer, date_shift_days, keyed_hash, load_or_create_key


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
