"""PFT table: row rejections, pseudonymisation, column checks (vrgan.cohort.pft, export)."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

from vrgan.cohort import PFT_REASONS, Pseudonymizer, check_export, clean_pfts, export_paths, read_pft_csv
from vrgan.cohort.export import ExportPaths
from vrgan.cohort.pft import PftChecks, TooManyRejectedRows, check_rejected_rows
from vrgan.demo.export import check_demo_settings, demo_export_paths

CONFIG = yaml.safe_load((Path(__file__).resolve().parents[1] / "config.yaml").read_text())

PSEUDO = Pseudonymizer(b"p" * 32)
COLUMNS = {"patient_id": "mrn", "date": "test_date", "fev1": "FEV1_L", "fvc": "FVC_L"}


def write_pfts(path, rows):
    pd.DataFrame(rows, columns=["mrn", "test_date", "FEV1_L", "FVC_L", "other"]).to_csv(path, index=False)
    return path


def test_each_row_gets_the_first_reason_that_applies(tmp_path):
    rows = [
        ("A", "2015-01-02", "3.0", "4.0", "x"),  # 1 ok
        ("A", "2015-01-03", "", "4.0", "x"),  # 2 missing_value
        ("A", "2015-01-04", "4.5", "4.0", "x"),  # 3 fev1_gt_fvc
        ("A", "2015-01-05", "0", "4.0", "x"),  # 4 ratio_out_of_range
        ("A", "2015-01-05", "-1", "-2", "x"),  # 5 ratio_out_of_range (not fev1_gt_fvc)
        ("A", "2015-02-30", "3", "4", "x"),  # 6 unparsable_date
        ("A", "02/01/2015", "3", "4", "x"),  # 7 unparsable_date
        ("A", "2015-01-06", "three", "4", "x"),  # 8 unparsable_number
        ("B", "2015-01-06", "3", "4", "x"),  # 9 unknown_patient
        ("A", "2015-01-07", "4.0", "4.0", "x"),  # 10 ok: ratio 1 is in (0, 1]
        (" A ", "2015-01-08T09:30", "NaN", "4", "x"),  # 11 missing_value
        ("A", "2015-01-08T09:30", "2", "4", "x"),  # 12 ok, time dropped
        ("A", "2015-01-09", "2.01", "2400", "x"),  # 13 ratio_out_of_range: FVC in mL
        ("A", "2015-01-10", "0.4", "4.0", "x"),  # 14 ok: ratio 0.10 is the smallest accepted
    ]
    raw = read_pft_csv(write_pfts(tmp_path / "pft.csv", rows), COLUMNS)
    accepted, rejected = clean_pfts(raw, {PSEUDO.patient("A")}, PSEUDO)
    assert dict(zip(rejected["row"], rejected["reason"])) == {
        2: "missing_value",
        3: "fev1_gt_fvc",
        4: "ratio_out_of_range",
        5: "ratio_out_of_range",
        6: "unparsable_date",
        7: "unparsable_date",
        8: "unparsable_number",
        9: "unknown_patient",
        11: "missing_value",
        13: "ratio_out_of_range",
    }
    assert set(rejected["reason"]) <= set(PFT_REASONS)
    assert accepted["row"].tolist() == [1, 10, 12, 14]
    assert accepted["pft_id"].tolist() == ["pft-000001", "pft-000010", "pft-000012", "pft-000014"]
    assert accepted["fev1_fvc"].tolist() == [0.75, 1.0, 0.5, 0.4 / 4.0]
    assert (accepted["patient_key"] == PSEUDO.patient("A")).all()
    shifted = PSEUDO.shift(dt.date(2015, 1, 2), "A")
    assert accepted["date"].iloc[0] == pd.Timestamp(shifted)
    assert (accepted["date"].iloc[2] - accepted["date"].iloc[0]).days == 6  # intervals kept


def test_same_shift_for_dicom_and_pft_of_a_patient():
    assert PSEUDO.shift(dt.date(2015, 1, 2), "A") - PSEUDO.shift(dt.date(2015, 1, 1), "A") == dt.timedelta(days=1)
    shifts = {(dt.date(2015, 1, 1) - PSEUDO.shift(dt.date(2015, 1, 1), str(i))).days for i in range(50)}
    assert len(shifts) > 40 and min(shifts) >= 3653 and max(shifts) <= 7305


def test_missing_column_is_named(tmp_path):
    path = write_pfts(tmp_path / "pft.csv", [])
    with pytest.raises(ValueError, match=r"lacks required column\(s\) fvc -> 'FVC'"):
        read_pft_csv(path, {**COLUMNS, "fvc": "FVC"})


def test_check_export_names_what_is_wrong(tmp_path):
    (tmp_path / "dicom").mkdir()
    pft = write_pfts(tmp_path / "pft.csv", [])
    ok = ExportPaths(tmp_path / "dicom", pft, None)
    check_export(ok, COLUMNS, {"patient_id": "mrn"})
    with pytest.raises(ValueError, match=r"cohort\.dicom_dir .*nowhere is not an existing directory"):
        check_export(ExportPaths(tmp_path / "nowhere", pft, None), COLUMNS, {})
    with pytest.raises(ValueError, match=r"cohort\.pft_csv .*missing\.csv does not exist"):
        check_export(ExportPaths(tmp_path / "dicom", tmp_path / "missing.csv", None), COLUMNS, {})
    with pytest.raises(ValueError, match=r"cohort\.pft_csv .* lacks required column\(s\) 'FEV1' \(for fev1\)"):
        check_export(ok, {**COLUMNS, "fev1": "FEV1"}, {})
    with pytest.raises(ValueError, match=r"cohort\.transplants_csv .*tx\.csv does not exist"):
        check_export(ExportPaths(tmp_path / "dicom", pft, tmp_path / "tx.csv"), COLUMNS, {})
    pd.DataFrame({"id": ["A"]}).to_csv(tmp_path / "tx.csv", index=False)
    with pytest.raises(ValueError, match=r"transplants_csv .* lacks required column\(s\) 'mrn'"):
        check_export(ExportPaths(tmp_path / "dicom", pft, tmp_path / "tx.csv"), COLUMNS, {"patient_id": "mrn"})


def test_export_paths_from_config():
    demo = demo_export_paths("results/demo_export")
    assert str(demo.dicom_dir) == "results/demo_export/dicom" and str(demo.pft_csv) == "results/demo_export/pft.csv"
    with pytest.raises(ValueError, match=r"cohort\.source is 'demo': the paths of the demo export are the demo wing's"):
        export_paths({"source": "demo"})
    mine = export_paths({"source": "export", "dicom_dir": "/d", "pft_csv": "/p.csv", "transplants_csv": None})
    assert mine.transplants_csv is None
    with pytest.raises(ValueError, match=r"cohort\.pft_csv must be set"):
        export_paths({"source": "export", "dicom_dir": "/d", "pft_csv": None})


def test_a_day_first_date_format_is_read_and_iso_rejects_it_all_and_stops(tmp_path):
    rows = [("A", f"{d:02d}/03/2015", "3.0", "4.0", "x") for d in (2, 13, 28)]
    raw = read_pft_csv(write_pfts(tmp_path / "pft.csv", rows), COLUMNS)
    day_first = PftChecks(date_format="%d/%m/%Y")
    accepted, rejected = clean_pfts(raw, {PSEUDO.patient("A")}, PSEUDO, day_first)
    assert rejected.empty and accepted["row"].tolist() == [1, 2, 3]
    assert accepted["date"].iloc[1] == pd.Timestamp(PSEUDO.shift(dt.date(2015, 3, 13), "A"))
    check_rejected_rows(raw, rejected, COLUMNS, day_first)
    accepted, rejected = clean_pfts(raw, {PSEUDO.patient("A")}, PSEUDO)
    assert accepted.empty and set(rejected["reason"]) == {"unparsable_date"}
    with pytest.raises(
        TooManyRejectedRows,
        match=r"(?s)cohort\.pft_csv: 3 of 3 rows rejected \(100\.0% > cohort\.pft_max_rejected_fraction 50\.0%\).*"
        r"unparsable_date: 3 rows \(column 'test_date' like '99/99/9999'\).*pft_date_format is 'iso'",
    ):
        check_rejected_rows(raw, rejected, COLUMNS)


def test_date_format_without_a_whole_date_is_refused():
    with pytest.raises(ValueError, match=r"cohort\.pft_date_format '%d/%m' is not 'iso' or a strptime format"):
        PftChecks(date_format="%d/%m")
    with pytest.raises(ValueError, match=r"cohort\.pft_fvc_litres must be \[min, max\]"):
        PftChecks(fvc_litres=(5.0, 1.0))


def test_percent_predicted_and_millilitres_are_out_of_range_and_unknown_patients_do_not_stop(tmp_path):
    rows = [
        ("A", "2015-01-02", "85", "95", "x"),  # 1 % predicted
        ("A", "2015-01-03", "2500", "3200", "x"),  # 2 mL
        ("A", "2015-01-04", "3.0", "4.0", "x"),  # 3 ok
        ("B", "2015-01-04", "3.0", "4.0", "x"),  # 4 unknown_patient
        ("B", "2015-01-05", "3.0", "4.0", "x"),  # 5 unknown_patient
    ]
    raw = read_pft_csv(write_pfts(tmp_path / "pft.csv", rows), COLUMNS)
    accepted, rejected = clean_pfts(raw, {PSEUDO.patient("A")}, PSEUDO)
    assert rejected["reason"].tolist() == ["volume_out_of_range"] * 2 + ["unknown_patient"] * 2
    assert rejected["message"].iloc[0] == "FEV1 85 not in [0.1, 8] L (cohort.pft_fev1_litres): % predicted or mL?"
    check_rejected_rows(raw, rejected, COLUMNS)  # 2 of 5 format rejections: below one half
    with pytest.raises(TooManyRejectedRows, match=r"volume_out_of_range: 2 rows \(column 'FEV1_L' like '99'"):
        check_rejected_rows(raw, rejected, COLUMNS, PftChecks(max_rejected_fraction=0.3))


def test_same_day_rows_that_disagree_are_all_rejected_and_close_repeats_kept(tmp_path):
    rows = [
        ("A", "2015-01-02", "3.0", "4.0", "x"),  # 1 0.75
        ("A", "2015-01-02", "2.0", "4.0", "x"),  # 2 0.50: conflicts with 1
        ("A", "2015-01-03", "3.0", "4.0", "x"),  # 3 0.75
        ("A", "2015-01-03", "3.1", "4.0", "x"),  # 4 0.775: a repeat within 0.05
    ]
    raw = read_pft_csv(write_pfts(tmp_path / "pft.csv", rows), COLUMNS)
    accepted, rejected = clean_pfts(raw, {PSEUDO.patient("A")}, PSEUDO)
    assert accepted["row"].tolist() == [3, 4]
    assert rejected["reason"].tolist() == ["conflicting_duplicate"] * 2
    assert rejected["message"].iloc[0] == "2 rows of this patient and day disagree: FEV1/FVC 0.500 to 0.750 (> 0.05 apart)"
    assert set(PFT_REASONS) >= {"conflicting_duplicate", "volume_out_of_range"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"cohort\.pft_csv .*pft\.csv is empty: it needs a header row"),
        ("mrn,test_date,FEV1_L,FVC_L\nM\u00fcller,2015-01-02,3,4\n".encode("cp1252"), r"not UTF-8 text \(byte 0xfc on line 2"),
    ],
)
def test_an_empty_or_cp1252_csv_is_named_at_load(tmp_path, content, message):
    (tmp_path / "dicom").mkdir()
    (tmp_path / "pft.csv").write_bytes(content)
    with pytest.raises(ValueError, match=message):
        check_export(ExportPaths(tmp_path / "dicom", tmp_path / "pft.csv", None), COLUMNS, {})


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    (tmp_path / "pft.csv").write_bytes(b"\xef\xbb\xbfmrn,test_date,FEV1_L,FVC_L\nA,2015-01-02,3,4\n")
    assert read_pft_csv(tmp_path / "pft.csv", COLUMNS)["patient_id"].tolist() == ["A"]


def test_the_demo_refuses_settings_its_truth_cannot_agree_with():
    demo = {k: v for k, v in CONFIG["cohort"].items() if k in ("pft_columns", "transplant_columns", "pft_date_format")}
    demo |= {"source": "demo", "burned_in_annotation": "accept_absent"}
    check_demo_settings(demo)  # the shipped config
    with pytest.raises(ValueError, match=r"cohort\.burned_in_annotation: reject_absent would reject the demo"):
        check_demo_settings(demo | {"burned_in_annotation": "reject_absent"})
    with pytest.raises(ValueError, match=r"cohort\.pft_date_format: the demo export writes ISO dates"):
        check_demo_settings(demo | {"pft_date_format": "%d/%m/%Y"})
    with pytest.raises(ValueError, match=r"cohort\.pft_columns: the demo export's columns are .*'fev1': 'fev1'"):
        check_demo_settings(demo | {"pft_columns": {**demo["pft_columns"], "fev1": "FEV1_L"}})
    with pytest.raises(ValueError, match=r"cohort\.transplant_columns: the demo export's columns"):
        check_demo_settings(demo | {"transplant_columns": {"patient_id": "mrn"}})
