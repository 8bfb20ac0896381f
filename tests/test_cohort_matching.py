"""Matching PFTs to exams: mutual nearest, one-to-one, deterministic (vrgan.cohort.matching)."""

import numpy as np
import pandas as pd
import pytest

from vrgan.cohort import choose_one_image_per_study, match_pfts_to_exams

DAY0 = pd.Timestamp("2015-03-02")


def tables(exams: dict[str, int], pfts: dict[str, int], patient: str = "p") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exams and PFTs of one patient from ``{id: day}``."""
    x = pd.DataFrame(
        {"patient_id": patient, "exam_id": list(exams), "date": [DAY0 + pd.Timedelta(days=d) for d in exams.values()]}
    )
    p = pd.DataFrame(
        {"patient_id": patient, "pft_id": list(pfts), "date": [DAY0 + pd.Timedelta(days=d) for d in pfts.values()]}
    )
    return x, p


def pairs(result: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(result["exam_id"], result["pft_id"]))


def test_day_30_is_in_the_window_and_day_31_is_not():
    x, p = tables({"x": 0}, {"p30": 30})
    assert pairs(match_pfts_to_exams(x, p)) == [("x", "p30")]
    x, p = tables({"x": 0}, {"p31": 31})
    assert match_pfts_to_exams(x, p).empty
    x, p = tables({"x": 31}, {"p0": 0})  # PFT before the exam, same rule
    assert match_pfts_to_exams(x, p).empty
    assert pairs(match_pfts_to_exams(x, p, window_days=31)) == [("x", "p0")]


def test_xrays_at_0_and_10_with_pfts_at_5_and_15_give_two_pairs():
    x, p = tables({"x0": 0, "x10": 10}, {"p5": 5, "p15": 15})
    result = match_pfts_to_exams(x, p)
    assert pairs(result) == [("x0", "p5"), ("x10", "p15")]
    assert result["days_apart"].tolist() == [5, 5]
    assert result["pft_minus_exam_days"].tolist() == [5, 5]


def test_merge_asof_from_both_sides_gives_one_pair_on_that_case():
    """The trap the notes describe, kept as a regression guard for anyone tempted."""
    x, p = tables({"x0": 0, "x10": 10}, {"p5": 5, "p15": 15})
    kw = {"on": "date", "by": "patient_id", "direction": "nearest", "tolerance": pd.Timedelta(days=30)}
    a = pd.merge_asof(x.sort_values("date"), p.sort_values("date"), **kw)[["exam_id", "pft_id"]]
    b = pd.merge_asof(p.sort_values("date"), x.sort_values("date"), **kw)[["exam_id", "pft_id"]]
    assert len(a.merge(b)) == 1


def test_tie_prefers_the_pft_after_the_exam_then_ids():
    x, p = tables({"x": 10}, {"before": 5, "after": 15})
    assert pairs(match_pfts_to_exams(x, p)) == [("x", "after")]
    x, p = tables({"x": 10}, {"b": 12, "a": 12})  # same-day PFTs: smallest id
    assert pairs(match_pfts_to_exams(x, p)) == [("x", "a")]
    x, p = tables({"x2": 3, "x1": 3}, {"p": 3})  # same-day exams: smallest id
    assert pairs(match_pfts_to_exams(x, p)) == [("x1", "p")]


def test_result_does_not_depend_on_row_order():
    rng = np.random.default_rng(0)
    x, p = tables(
        {f"x{i}": int(d) for i, d in enumerate(rng.integers(0, 200, 25))},
        {f"p{i}": int(d) for i, d in enumerate(rng.integers(0, 200, 25))},
    )
    first = match_pfts_to_exams(x, p)
    again = match_pfts_to_exams(x.sample(frac=1, random_state=1), p.sample(frac=1, random_state=2))
    pd.testing.assert_frame_equal(first, again)
    assert first["exam_id"].is_unique and first["pft_id"].is_unique
    assert (first["days_apart"] <= 30).all()


def test_chain_x1_p1_x2_leaves_x1_unpaired():
    x, p = tables({"x1": 0, "x2": 12}, {"p1": 10})
    assert pairs(match_pfts_to_exams(x, p)) == [("x2", "p1")]


def test_every_patient_with_a_candidate_gets_a_pair_and_patients_never_mix():
    x1, p1 = tables({"a": 0}, {"pa": 40}, patient="1")
    x2, p2 = tables({"b": 0}, {"pb": 1}, patient="2")
    x3, p3 = tables({"c": 0}, {"pc": 0}, patient="3")
    x = pd.concat([x1, x2, x3])
    p = pd.concat([p1, p2, p3])
    p.loc[p["pft_id"] == "pc", "patient_id"] = "9"  # same day as exam c, but another patient
    result = match_pfts_to_exams(x, p)
    assert pairs(result) == [("b", "pb")]


def test_ids_stay_strings():
    x = pd.DataFrame({"patient_id": ["007"], "exam_id": ["0010"], "date": [DAY0]})
    p = pd.DataFrame({"patient_id": ["007"], "pft_id": ["01"], "date": [DAY0]})
    result = match_pfts_to_exams(x, p)
    assert result.loc[0, ["patient_id", "exam_id", "pft_id"]].tolist() == ["007", "0010", "01"]


def test_mixed_datetime_resolutions_and_times_are_whole_days():
    x = pd.DataFrame(
        {"patient_id": ["p"], "exam_id": ["x"], "date": pd.to_datetime(["2015-01-01 23:50"]).astype("datetime64[ns]")}
    )
    p = pd.DataFrame(
        {"patient_id": ["p"], "pft_id": ["f"], "date": pd.to_datetime(["2015-01-31 00:10"]).astype("datetime64[s]")}
    )
    assert match_pfts_to_exams(x, p)["days_apart"].tolist() == [30]


def test_bad_input_is_refused_with_a_clear_message():
    x, p = tables({"x": 0}, {"p": 1})
    with pytest.raises(ValueError, match=r"exams\.date has missing"):
        match_pfts_to_exams(x.assign(date=pd.NaT), p)
    with pytest.raises(ValueError, match=r"pfts\.pft_id must be unique"):
        match_pfts_to_exams(x, pd.concat([p, p]))
    with pytest.raises(ValueError, match=r"exams lacks column"):
        match_pfts_to_exams(x.drop(columns="exam_id"), p)
    with pytest.raises(ValueError, match="window_days"):
        match_pfts_to_exams(x, p, window_days=-1)


def test_one_image_per_study_by_the_documented_rule():
    images = pd.DataFrame(
        {
            "exam_key": ["s1", "s1", "s1", "s2", "s2"],
            "image_key": ["a", "b", "c", "d", "e"],
            "view_source": ["SeriesDescription", "ViewPosition", "ViewPosition", "ViewPosition", "ViewPosition"],
            "rows": [100, 100, 100, 10, 10],
            "columns": [100, 100, 100, 10, 10],
            "series_number": [1, 1, 2, None, None],
            "instance_number": [1, 1, 1, 1, 2],
        }
    )
    kept, dropped = choose_one_image_per_study(images)
    assert kept["image_key"].tolist() == ["c", "e"]  # trusted source, then later series / instance
    assert sorted(dropped["image_key"]) == ["a", "b", "d"]
    assert dict(zip(dropped["image_key"], dropped["kept_image_key"])) == {"a": "c", "b": "c", "d": "e"}
    kept2, _ = choose_one_image_per_study(images.iloc[::-1])
    assert kept2["image_key"].tolist() == ["c", "e"]
