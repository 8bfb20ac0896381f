"""vrgan.artefacts: atomic writes, tables, figures and stage summaries."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from vrgan.artefacts import atomic_write, read_summary, write_summary, write_table


def test_atomic_write_renames_a_complete_file_and_keeps_the_suffix(tmp_path):
    target = tmp_path / "sub" / "pairs.npz"
    with atomic_write(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.startswith(".tmp-") and tmp.name.endswith("pairs.npz")
        assert not target.exists()
        np.savez(tmp, x=np.arange(3))  # numpy would append .npz to a name without it
    np.testing.assert_array_equal(np.load(target)["x"], [0, 1, 2])
    assert [p.name for p in target.parent.iterdir()] == ["pairs.npz"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_write(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_a_directory_is_replaced_whole(tmp_path):
    target = tmp_path / "cache"
    (target / "old").mkdir(parents=True)
    with atomic_write(target) as tmp:
        tmp.mkdir()
        (tmp / "index.parquet").write_text("x")
    assert [p.name for p in target.iterdir()] == ["index.parquet"]
    with pytest.raises(FileNotFoundError, match="nothing was written for"):
        with atomic_write(tmp_path / "empty.csv"):
            pass


def test_a_killed_writer_leaves_no_file_under_the_real_name(tmp_path):
    target = tmp_path / "best.pt"
    code = (
        "import os, signal, sys\nfrom vrgan.artefacts import atomic_write\n"
        "with atomic_write(sys.argv[1]) as tmp:\n"
        "    tmp.write_bytes(b'half a checkpoint')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, timeout=60)
    assert done.returncode == -9
    assert not target.exists() and [p.name.startswith(".tmp-") for p in tmp_path.iterdir()] == [True]


def test_write_table_by_suffix(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    write_table(frame, tmp_path / "t.csv")
    write_table(frame, tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "t.csv"), frame)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), frame)
    with pytest.raises(ValueError, match=r"\.csv or \.parquet, not '\.txt'"):
        write_table(frame, tmp_path / "t.txt")


def test_summary_round_trip(tmp_path):
    payload = write_summary(tmp_path / "s.json", "stage", {"n": 2}, {"window_days": 30}, packages=("numpy",))
    assert read_summary(tmp_path / "s.json") == json.loads(json.dumps(payload))
    assert payload["versions"]["numpy"] == np.__version__ and set(payload["versions"]) == {"python", "numpy"}
