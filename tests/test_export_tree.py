"""export_tree_digest: the ingest's fingerprint of the export tree (vrgan.cohort.export_tree)."""

import os

from vrgan.cohort.export_tree import export_tree_digest


def test_the_digest_follows_every_file_below_the_export_and_nothing_else(tmp_path):
    deep = tmp_path / "dicom" / "P1" / "S1"
    deep.mkdir(parents=True)
    (deep / "a.dcm").write_bytes(b"one")
    first = export_tree_digest(tmp_path / "dicom")
    assert export_tree_digest(tmp_path / "dicom") == first  # reads the same tree the same way
    (deep / "b.dcm").write_bytes(b"two")
    added = export_tree_digest(tmp_path / "dicom")
    assert added != first
    (deep / "b.dcm").unlink()
    assert export_tree_digest(tmp_path / "dicom") == first
    (deep / "a.dcm").write_bytes(b"ONE")  # same size, new time stamp
    info = (deep / "a.dcm").stat()
    os.utime(deep / "a.dcm", ns=(info.st_atime_ns, info.st_mtime_ns + 10**9))
    assert export_tree_digest(tmp_path / "dicom") != first
    (tmp_path / "outside.csv").write_text("x")  # beside the export: not part of it
    touched = export_tree_digest(tmp_path / "dicom")
    (tmp_path / "outside.csv").write_text("y")
    assert export_tree_digest(tmp_path / "dicom") == touched

