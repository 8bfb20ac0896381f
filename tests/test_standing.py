"""The report's floor-and-ceiling tables and the toy's NCC by scale (vrgan.standing)."""

import math

import pandas as pd

from vrgan.standing import floor_ceiling_table, floor_method, scale_ncc_table

NAN = math.nan


def summary(pairs=False):
    table = pd.DataFrame(
        {
            "method": ["vrgan", "negative_image", "constant_ring", "mean_validation_map", "supervised"],
            "kind": ["model", "baseline", "baseline", "baseline", "model"],
            "n_seeds": [2, 0, 0, 0, 1],
            "mean": [0.8, 0.4, 0.7, 0.75, 0.95],
            "std": [0.02, NAN, NAN, NAN, NAN],
            "specific_mean": [0.3, 0.2, 0.05, 0.0, 0.6],
            "specific_std": [0.01, NAN, NAN, NAN, NAN],
        }
    )
    if pairs:  # x-ray: two subsets; in not_failed the ring (were there one) would win the floor
        other = table.assign(pairs="not_failed", mean=[0.6, 0.4, 0.9, 0.5, 0.9])
        table = pd.concat([table.assign(pairs="all"), other], ignore_index=True)
        table["overlap_mean"], table["overlap_std"] = table["mean"] + 0.1, NAN
    return table


def test_the_floor_is_the_best_input_independent_map_of_the_subset():
    assert floor_method(summary()) == "mean_validation_map"
    assert floor_method(summary(pairs=True), "not_failed") == "constant_ring"
    assert floor_method(summary()[lambda t: t["kind"] == "model"]) is None


def test_floor_ceiling_table_orders_ceiling_models_then_baselines_and_marks_the_floor():
    validity = pd.DataFrame(  # counterfactual_summary.csv
        {"method": ["vrgan", "supervised"], "mae_mean": [0.05, 0.01], "mae_std": [0.005, NAN],
         "corr_mean": [0.9, 0.99], "corr_std": [0.05, NAN]}
    )
    table = floor_ceiling_table(summary(), validity)
    assert list(table.columns) == [
        "method", "role", "NCC", "input-specific NCC", "|R_ind(x′) − y′|", "corr(R_ind(x′), y′)"
    ]
    assert table.values.tolist() == [
        ["supervised ceiling", "ceiling: trained on the ground truth", "0.950", "0.600", "0.010", "0.990"],
        ["VR-GAN", "learned", "0.800 ± 0.020", "0.300 ± 0.010", "0.050 ± 0.005", "0.900 ± 0.050"],
        ["mean validation map", "**floor**: best input-independent map", "0.750", "0.000", "—", "—"],
        ["constant ring", "input-independent map", "0.700", "0.050", "—", "—"],
        ["Δx = −x", "trivial, uses the input", "0.400", "0.200", "—", "—"],
    ]


def test_floor_ceiling_table_of_x_rays_has_the_overlap_and_tolerates_old_summaries():
    table = floor_ceiling_table(summary(pairs=True), pairs="not_failed")
    assert list(table.columns) == ["method", "role", "NCC", "input-specific NCC", "NCC in the registration overlap"]
    assert table["method"].tolist()[:2] == ["supervised ceiling", "VR-GAN"]
    assert table.loc[table["method"] == "constant ring", "role"].item().startswith("**floor**")
    assert table.loc[table["method"] == "VR-GAN", "NCC in the registration overlap"].item() == "0.700"
    old = summary().drop(columns=["specific_mean", "specific_std"])
    assert floor_ceiling_table(old)["input-specific NCC"].eq("—").all()


def test_scale_ncc_table_sets_the_paper_the_floor_and_this_run_side_by_side():
    floor = pd.DataFrame({"method": ["mean_validation_map", "negative_image"], "size": 224, "ncc": [0.746, 0.375], "n_pairs": 5424})
    table = scale_ncc_table(summary(), floor, 32)
    assert list(table.columns) == [
        "method", "paper (224 px, 5 seeds)", "trivial maps at 224 px, 5424 test pairs, no training", "this run (32 px)"
    ]
    assert table.values.tolist() == [
        ["supervised ceiling", "—", "—", "0.950"],
        ["VR-GAN", "0.853 ± 0.014", "—", "0.800 ± 0.020"],
        ["VA-GAN", "0.780 ± 0.007", "—", "—"],
        ["Δx = −x", "—", "0.375", "0.400"],
        ["constant ring", "—", "—", "0.700"],
        ["mean validation map", "—", "0.746", "0.750"],
    ]
    assert scale_ncc_table(None, floor)["method"].tolist() == ["VR-GAN", "VA-GAN", "mean validation map", "Δx = −x"]
