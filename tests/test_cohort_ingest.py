"""DICOM ingest: reject reasons, views, decode order, the image cache (vrgan.cohort ingest)."""

import logging
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cohort_export import BASIC_TEXT_SR, DAY0, make_dataset, pixels, save
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import JPEG2000Lossless, MPEG2MPML, RLELossless

from vrgan.cohort import FILE_REASONS, ImageCache, Pseudonymizer, TooManyRejected, ingest_export, load_cached_image, resolve_view
from vrgan.cohort.dicom_scan import scan_file
from vrgan.cohort.image_cache import plan_shards
from vrgan.cohort.ingest import decode_accepted, list_files, scan_files, walk_export
from vrgan.cohort.pixels import intensities_from_stored, invert_monochrome1

PSEUDO = Pseudonymizer(b"k" * 32)
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
DX_FOR_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.1.1"


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({}, "ok"),
        ({"array": None}, "no_pixel_data"),
        ({"syntax": MPEG2MPML}, "unsupported_syntax"),
        ({"sop_class": BASIC_TEXT_SR, "array": None}, "not_an_image_sop_class"),
        ({"sop_class": SECONDARY_CAPTURE}, "unsupported_image_sop_class"),
        ({"sop_class": DX_FOR_PROCESSING}, "unsupported_image_sop_class"),
        ({"tags": {"NumberOfFrames": 2}}, "multiframe"),
        ({"tags": {"ImageType": ["DERIVED", "SECONDARY"]}}, "secondary_image"),
        ({"date": None}, "missing_required_tag"),
        ({"patient_id": ""}, "missing_required_tag"),
    ],
)
def test_header_pass_reason_of_each_fixture_file(tmp_path, kwargs, status):
    kwargs = {"array": pixels(), **kwargs}
    record = scan_file(save(make_dataset(**kwargs), tmp_path / "f"), PSEUDO)
    assert record["status"] == status, record["message"]
    assert "PID" not in record["message"]


def test_not_dicom_and_truncated_files(tmp_path):
    (tmp_path / "text").write_text("hello")
    (tmp_path / "empty").write_bytes(b"")
    assert scan_file(tmp_path / "text", PSEUDO)["status"] == "not_dicom"
    assert scan_file(tmp_path / "empty", PSEUDO)["status"] == "not_dicom"
    whole = save(make_dataset(array=pixels()), tmp_path / "whole").read_bytes()
    for cut in (len(whole) - 1, len(whole) // 2, 300):
        (tmp_path / "cut").write_bytes(whole[:cut])
        assert scan_file(tmp_path / "cut", PSEUDO)["status"] == "truncated", cut
    j2k = save(make_dataset(array=pixels((64, 48)), syntax=JPEG2000Lossless), tmp_path / "j2k").read_bytes()
    (tmp_path / "cut").write_bytes(j2k[:-100])
    assert scan_file(tmp_path / "cut", PSEUDO)["status"] == "truncated"


def test_only_the_top_level_workflow_marker_is_left_out(tmp_path):
    (tmp_path / "a").mkdir()
    for rel in (".snakemake_timestamp", "a/.snakemake_timestamp", "a/IM1", ".hidden"):
        (tmp_path / rel).write_bytes(b"")
    assert list_files(tmp_path) == [".hidden", "a/.snakemake_timestamp", "a/IM1"]


def test_ok_record_holds_keys_shifted_date_and_no_identifiers(tmp_path):
    record = scan_file(
        save(make_dataset(array=pixels(), patient_id="PIDX", tag_prefix="SECRET"), tmp_path / "f"), PSEUDO
    )
    assert record["patient_key"] == PSEUDO.patient("PIDX")
    assert record["date"] == PSEUDO.shift(DAY0, "PIDX")
    assert 3653 <= (DAY0 - record["date"]).days <= 7305
    assert "PIDX" not in repr(record) and "SECRET" not in repr(record)


def code(value: str) -> Sequence:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "SCT", "x"
    return Sequence([item])


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (
            {"ViewPosition": " pa ", "ViewCodeSequence": code("399348003"), "SeriesDescription": "AP"},
            ("PA", "ViewPosition"),
        ),
        ({"ViewPosition": "", "ViewCodeSequence": code("399348003")}, ("AP", "ViewCodeSequence")),
        ({"ViewCodeSequence": code("399173006")}, ("LL", "ViewCodeSequence")),
        (
            {"AcquisitionDeviceProcessingDescription": "CHEST P->A", "SeriesDescription": "AP"},
            ("PA", "AcquisitionDeviceProcessingDescription"),
        ),
        ({"SeriesDescription": "Chest lateral", "StudyDescription": "CHEST PA"}, ("LATERAL", "SeriesDescription")),
        ({"StudyDescription": "CHEST PA AND LAT", "ProtocolName": "Thorax pa"}, ("PA", "ProtocolName")),
        ({"StudyDescription": "CHEST PA AND LAT"}, ("UNKNOWN", "none")),
        ({"StudyDescription": "XR CHEST PA"}, ("PA", "StudyDescription")),
        ({"PatientOrientation": ["L", "F"]}, ("FRONTAL", "PatientOrientation")),
        ({"PatientOrientation": ["A", "F"]}, ("LATERAL", "PatientOrientation")),
        ({}, ("UNKNOWN", "none")),
    ],
)
@pytest.mark.filterwarnings("ignore:Invalid value for VR")
def test_view_resolution_order(tags, expected):
    ds = Dataset()
    for keyword, value in tags.items():
        setattr(ds, keyword, value)
    assert resolve_view(ds) == expected


def test_decode_order_rescale_then_invert_monochrome1():
    stored = np.array([[0, 1], [2, 4095]], dtype=np.uint16)
    ds = Dataset()
    ds.PhotometricInterpretation, ds.BitsStored, ds.BitsAllocated = "MONOCHROME1", 12, 16
    ds.RescaleSlope, ds.RescaleIntercept = 2, 10
    image, info = intensities_from_stored(stored, ds)
    expected = 4095 - (2.0 * stored + 10)  # rescale first, then (2**12 - 1) - x
    np.testing.assert_array_equal(image, expected.astype(np.float32))
    assert image.dtype == np.float32 and info.inverted and info.rescaled
    assert (info.stored_min, info.stored_max) == (0, 4095)
    assert stored[1, 1] == 4095  # input not modified
    ds.PhotometricInterpretation = "MONOCHROME2"
    np.testing.assert_array_equal(intensities_from_stored(stored, ds)[0], 2.0 * stored + 10)
    ds.VOILUTFunction, ds.WindowCenter, ds.WindowWidth = "LINEAR", 100, 10  # windowing never applied
    np.testing.assert_array_equal(intensities_from_stored(stored, ds)[0], 2.0 * stored + 10)


def test_invert_monochrome1_is_exact_and_checks_bits():
    np.testing.assert_array_equal(invert_monochrome1(np.array([[0.0, 255.0]]), 8), [[255.0, 0.0]])
    with pytest.raises(ValueError, match="bits_stored"):
        invert_monochrome1(np.zeros((2, 2)), 0)


def test_plan_shards_is_bounded_and_keeps_order():
    shards = plan_shards([(2, 2), (3, 3), (1, 1), (10, 10)], max_images=2, max_bytes=200)
    assert shards == [[(0, 0), (1, 4)], [(2, 0)], [(3, 0)]]


def test_ingest_decodes_compressed_and_caches_by_key(tmp_path):
    dicom = tmp_path / "dicom"
    a, b, c = pixels((24, 20), 1), pixels((64, 48), 2), pixels((30, 16), 3)
    save(make_dataset(patient_id="P1", array=a, tags={"ViewPosition": "PA"}), dicom / "p1" / "a")
    save(
        make_dataset(patient_id="P1", array=b, syntax=JPEG2000Lossless, tags={"ViewPosition": "PA"}),
        dicom / "p1" / "b.dcm",
    )
    save(
        make_dataset(patient_id="P2", array=c, syntax=RLELossless, photometric="MONOCHROME1"),
        dicom / "p2" / "deep" / "c",
    )
    shutil.copy(dicom / "p1" / "a", dicom / "p1" / "z-copy")
    one = ingest_export(dicom, tmp_path / "img1", PSEUDO, threads=1)
    two = ingest_export(dicom, tmp_path / "img2", PSEUDO, threads=2)
    pd.testing.assert_frame_equal(one, two)
    assert one["status"].tolist() == ["ok", "ok", "duplicate", "ok"]
    assert one["transfer_syntax"].tolist()[1] == JPEG2000Lossless
    cache = ImageCache(tmp_path / "img2")
    ok = one[one["status"] == "ok"]
    assert len(cache) == 3
    np.testing.assert_array_equal(cache.load(ok["image_key"].iloc[0]), a)
    np.testing.assert_array_equal(load_cached_image(tmp_path / "img2", ok["image_key"].iloc[1]), b)
    np.testing.assert_array_equal(cache.load(ok["image_key"].iloc[2]), 4095.0 - c)
    assert cache.metadata(ok["image_key"].iloc[2])["inverted"]
    with pytest.raises(KeyError, match="not in the cache"):
        cache.load("nope")


def test_decode_pass_rejects_cut_pixel_data_and_too_many_rejections_stop(tmp_path):
    dicom = tmp_path / "dicom"
    save(make_dataset(array=pixels()), dicom / "good")
    path = save(make_dataset(array=pixels()), dicom / "bad")
    ds = make_dataset(array=pixels())
    ds.Rows = 40  # header declares more pixels than stored: only the decoder notices
    save(ds, dicom / "short")
    table = ingest_export(dicom, tmp_path / "img", PSEUDO, max_rejected_fraction=0.5)
    assert dict(zip(table["status"], table["message"]))["truncated"]
    path.write_text("no longer DICOM")
    with pytest.raises(TooManyRejected, match=r"2 of 3 files rejected.*\n.*not_dicom: 1"):
        ingest_export(dicom, tmp_path / "img", PSEUDO, max_rejected_fraction=0.5)


@pytest.mark.parametrize(
    ("value", "policy", "status"),
    [
        ("YES", "accept_absent", "burned_in_annotation"),
        (" yes", "accept_absent", "burned_in_annotation"),
        ("NO", "reject_absent", "ok"),
        (None, "accept_absent", "ok"),
        (None, "reject_absent", "burned_in_annotation_unknown"),
        ("MAYBE", "accept_absent", "burned_in_annotation_unknown"),
    ],
)
@pytest.mark.filterwarnings("ignore:Invalid value for VR")
def test_burned_in_annotation_yes_is_rejected_and_absent_follows_the_policy(tmp_path, value, policy, status):
    tags = {} if value is None else {"BurnedInAnnotation": value}
    record = scan_file(save(make_dataset(array=pixels(), tags=tags), tmp_path / "f"), PSEUDO, policy)
    assert record["status"] == status, record["message"]
    assert status in FILE_REASONS or status == "ok"


def test_a_vanished_file_is_unreadable_in_either_pass_and_no_path_is_said(tmp_path):
    record = scan_file(tmp_path / "SECRETNAME.dcm", PSEUDO)
    assert (record["status"], record["message"]) == ("unreadable", "file cannot be read (ENOENT)")
    dicom = tmp_path / "dicom"
    path = save(make_dataset(array=pixels()), dicom / "SECRETNAME")
    table = scan_files(dicom, PSEUDO)
    path.unlink()  # gone between the header pass and the decode pass
    decoded = decode_accepted(table, tmp_path / "img")
    assert decoded[["status", "message"]].values.tolist() == [
        ["unreadable", "file cannot be read in the decode pass (ENOENT)"]
    ]


def test_every_reachable_entry_is_one_row_links_followed_without_loops(tmp_path, monkeypatch):
    dicom, outside = tmp_path / "dicom", tmp_path / "outside"
    save(make_dataset(array=pixels(seed=1)), dicom / "p" / "a")
    save(make_dataset(array=pixels(seed=2)), outside / "b")
    (dicom / "p" / "linked").symlink_to(outside)  # followed: b is listed
    (dicom / "p" / "loop").symlink_to(dicom)  # the root again: listed once
    (dicom / "broken").symlink_to(tmp_path / "nowhere")
    os.mkfifo(dicom / "fifo")
    (dicom / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, problems = walk_export(dicom)
    assert files == ["p/a", "p/linked/b"]
    assert problems == [
        ("broken", "unreadable", "broken link (ENOENT)"),
        ("fifo", "unreadable", "not a regular file (a device, pipe or socket)"),
        ("locked", "unreadable", "folder cannot be listed (EACCES)"),
        ("p/loop", "repeated_folder", "link to a folder already listed; its files are listed once"),
    ]
    table = ingest_export(dicom, tmp_path / "img", PSEUDO, max_rejected_fraction=1.0)
    assert table["status"].tolist() == ["unreadable", "unreadable", "unreadable", "ok", "ok", "repeated_folder"]
    assert table["file_key"].tolist()[3] == PSEUDO.file("p/a")


def test_a_file_name_that_is_not_utf8_is_hashed_by_its_bytes(tmp_path):
    dicom = tmp_path / "dicom"
    dicom.mkdir()
    name = b"M\xfcller.dcm"  # Latin-1
    save(make_dataset(array=pixels()), Path(os.fsdecode(os.path.join(os.fsencode(dicom), name))))
    table = ingest_export(dicom, tmp_path / "img", PSEUDO)
    assert table["status"].tolist() == ["ok"]
    assert table["file_key"].item() == PSEUDO.file(os.fsdecode(name)) != PSEUDO.file("Müller.dcm")


def test_no_warning_or_log_quotes_a_non_conformant_uid(tmp_path, caplog):
    uid = "1.2.826.0.1.3680043.0477.6.1"  # a zero-led component: pydicom warns, quoting it
    dicom = tmp_path / "dicom"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        save(make_dataset(array=pixels(), study_uid=uid, sop_uid=uid + ".2"), dicom / "f")
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG):
        warnings.simplefilter("always")
        table = ingest_export(dicom, tmp_path / "img", PSEUDO)
        image_key = table["image_key"].item()
        ImageCache(tmp_path / "img").load(image_key)
    assert table["status"].tolist() == ["ok"]
    assert not [str(w.message) for w in caught if "3680043" in str(w.message)]
    assert "3680043" not in caplog.text


def test_duplicates_are_resolved_among_the_copies_that_decode(tmp_path):
    dicom = tmp_path / "dicom"
    broken = make_dataset(array=pixels(), sop_uid="1.2.3.4")
    broken.Rows = 40  # the header declares more pixels than stored: only the decoder notices
    save(broken, dicom / "a-first")
    save(make_dataset(array=pixels(), sop_uid="1.2.3.4"), dicom / "b-second")
    save(make_dataset(array=pixels(), sop_uid="1.2.3.4"), dicom / "c-third")
    table = ingest_export(dicom, tmp_path / "img", PSEUDO, max_rejected_fraction=1.0)
    assert table["status"].tolist() == ["truncated", "ok", "duplicate"]
    assert table["message"].iloc[2] == f"same SOP Instance UID as file {PSEUDO.file('b-second')}"
    cache = ImageCache(tmp_path / "img")
    assert len(cache) == 1
    np.testing.assert_array_equal(cache.load(PSEUDO.image("1.2.3.4")), pixels())
