"""The report (vrgan.report), its provenance (vrgan.provenance) and the progression animation
(vrgan.figures.progression_frames, vrgan.artefacts.save_gif)."""

import math
import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image
from workflow import REPO

from vrgan.artefacts import save_gif
from vrgan.figures import progression_frames
from vrgan.provenance import git_state, machine, to_yaml
from vrgan.report import (
    HIDDEN_PATH,
    agreement_table,
    comparison_table,
    findings,
    flow_table,
    format_mean_std,
    markdown_table,
    registration_table,
    render_summary,
    results_table,
    versions_table,
)
from vrgan_workflow.params import key_order_free

NAN = math.nan


def toy_summary():
    return pd.DataFrame(
        {
            "method": ["vrgan", "vagan", "negative_image", "mean_validation_map", "constant_ring"],
            "kind": ["model", "model", "baseline", "baseline", "baseline"],
            "n_seeds": [2, 2, 0, 0, 0],
            "mean": [0.78161, 0.27486, 0.39349, 0.76193, 0.67981],
            "std": [0.03216, 0.06898, NAN, NAN, NAN],
        }
    )


def xray_summary(shift=0.0):
    methods = ["vrgan", "vagan", "negative_image", "mean_validation_map"]
    return pd.DataFrame(
        {
            "method": methods * 2,
            "kind": ["model", "model", "baseline", "baseline"] * 2,
            "pairs": ["all"] * 4 + ["not_failed"] * 4,
            "n_seeds": [2, 1, 0, 0] * 2,
            "mean": np.array([0.10, 0.02, -0.05, 0.08, 0.11, 0.03, -0.04, 0.09]) + shift,
            "std": [0.01, NAN, NAN, NAN, 0.012, NAN, NAN, NAN],
        }
    )


def test_mean_std_formatting():
    assert format_mean_std(0.85312, 0.01449, 5) == "0.853 ± 0.014 (n = 5)"
    assert format_mean_std(0.78, 0.007) == "0.780 ± 0.007"
    assert format_mean_std(0.7816, NAN, 1) == "0.782 (n = 1)"  # one seed: no std
    assert format_mean_std(0.39349, None) == "0.393"
    assert format_mean_std(NAN, 0.1, 2) == "—"
    assert format_mean_std(0.5, 0.25, digits=1) == "0.5 ± 0.2"


def test_markdown_table_escapes_pipes_and_shows_missing_values():
    frame = pd.DataFrame({"a": ["x|y", None], "b": [1.5, NAN]})
    assert markdown_table(frame) == "| a | b |\n| --- | --- |\n| x\\|y | 1.5 |\n| — | — |\n"


def test_the_paper_table_puts_the_papers_numbers_beside_ours():
    comparison = comparison_table({"toy_summary": toy_summary(), "xray_summary": xray_summary(), "xray_summary_truth": xray_summary(0.5)})
    paper = comparison[comparison["source"] == "paper"]
    assert paper[["study", "method", "n_seeds", "mean", "std"]].values.tolist() == [
        ["toy", "vagan", 5, 0.780, 0.007],
        ["toy", "vrgan", 5, 0.853, 0.014],
        ["x-ray", "vagan", 5, 0.012, 0.015],
        ["x-ray", "vrgan", 5, 0.127, 0.017],
    ]
    ours = comparison[comparison["source"] == "ours"]
    assert len(ours) == 5 + 4 + 4  # the x-ray tables: all pairs only
    assert ours["n_seeds"].isna().sum() == 3 + 2 + 2  # baselines have no seeds
    table = results_table(comparison)
    assert list(table.columns) == [
        "study", "ground truth", "paper VA-GAN", "paper VR-GAN", "ours VA-GAN", "ours VR-GAN",
        "ours: Δx = −x", "ours: constant ring", "ours: mean validation map",
    ]  # fmt: skip
    assert table.iloc[0].tolist() == [
        "toy", "exact (rendered squares)", "0.780 ± 0.007", "0.853 ± 0.014", "0.275 ± 0.069 (n = 2)",
        "0.782 ± 0.032 (n = 2)", "0.393", "0.680", "0.762",
    ]  # fmt: skip
    assert table.iloc[1].tolist() == [
        "x-ray", "registration", "0.012 ± 0.015", "0.127 ± 0.017", "0.020 (n = 1)", "0.100 ± 0.010 (n = 2)",
        "-0.050", "—", "0.080",
    ]  # fmt: skip
    truth = table.iloc[2]
    assert truth["ground truth"].startswith("phantom") and truth["paper VR-GAN"] == "—"
    assert truth["ours VR-GAN"] == "0.600 ± 0.010 (n = 2)"


def test_not_failed_pairs_and_missing_studies():
    comparison = comparison_table({"xray_summary": xray_summary(), "xray_summary_truth": None}, pairs="not_failed")
    assert set(comparison["study"]) == {"x-ray"} and set(comparison["ground_truth"]) == {"registration"}
    table = results_table(comparison)
    assert table["ours VR-GAN"].tolist() == ["0.110 ± 0.012 (n = 2)"]
    assert "ours: constant ring" not in table.columns  # no x-ray ring baseline: no empty column
    assert comparison_table({}).empty


def test_findings_compare_the_means_with_vagan_and_the_best_baseline():
    assert findings(comparison_table({"toy_summary": toy_summary()})) == [
        "toy, exact (rendered squares): VR-GAN 0.782 vs VA-GAN 0.275: VR-GAN ahead, as in the paper; "
        "the best trivial baseline (mean validation map, 0.762) scores below VR-GAN."
    ]
    worse = xray_summary()
    worse.loc[worse["method"] == "vagan", "mean"] = 0.3
    assert findings(comparison_table({"xray_summary": worse})) == [
        "x-ray, registration: VR-GAN 0.100 vs VA-GAN 0.300: VA-GAN ahead, unlike the paper; "
        "the best trivial baseline (mean validation map, 0.080) scores below VR-GAN."
    ]
    only = toy_summary()[lambda t: t["method"] != "vagan"].assign(mean=[0.5, 0.39, 0.76, 0.68])
    assert findings(comparison_table({"toy_summary": only})) == [
        "toy, exact (rendered squares): VR-GAN 0.500; the best trivial baseline (mean validation map, 0.760) "
        "scores above VR-GAN."
    ]


def test_agreement_flow_and_registration_tables():
    compared = pd.DataFrame(
        {
            "pair_id": list("abcd"),
            "split": ["test", "test", "test", "validation"],
            "registration_status": ["ok", "failed", "ok", "ok"],
            "ncc_registration_vs_truth": [0.2, -0.4, 0.4, 0.5],
            "ncc_unregistered_vs_truth": [0.1, 0.1, NAN, 0.3],
        }
    )
    table = agreement_table(compared)
    assert table[["split", "pairs"]].values.tolist() == [["test", "all"], ["test", "not failed"], ["validation", "all"], ["validation", "not failed"]]
    assert table.iloc[0, 2] == "0.067 ± 0.416 (n = 3)" and table.iloc[1, 2] == "0.300 ± 0.141 (n = 2)"
    assert table.iloc[1, 3] == "0.100 (n = 1)" and table.iloc[2, 2] == "0.500 (n = 1)"

    flow = pd.DataFrame(
        [
            [1, "files", "count", NAN, "files", 10],
            [2, "decoded", "excluded", "truncated", "files", 1],
            [2, "decoded", "excluded", "not_dicom", "files", 2],
            [2, "decoded", "count", NAN, "images", 7],
            [2, "decoded", "branch", "copd", "images", 3],
        ],
        columns=["step", "box", "kind", "reason", "unit", "n"],
    )
    assert flow_table(flow).values.tolist() == [
        [1, "files", "10 files", "", ""],
        [2, "decoded", "7 images", "truncated 1 files; not_dicom 2 files", "copd 3 images"],
    ]

    registration = pd.DataFrame(
        {
            "split": ["validation", "test", "test"],
            "status": ["ok", "failed", "odd"],
            "ncc_before": [0.5, 0.6, 0.8],
            "ncc_after": [0.9, 0.4, 0.8],
        }
    )
    assert registration_table(registration).values.tolist() == [
        ["test", 2, 0, 0, 1, 1, "0.700", "0.600"],
        ["validation", 1, 1, 0, 0, 0, "0.500", "0.900"],
    ]


def test_versions_are_merged_over_stages_without_missing_packages():
    table = versions_table({"a": {"numpy": "2.4.6", "torch": "not installed"}, "b": {"numpy": "2.4.6", "torch": "2.14.1"}, "c": {"numpy": "2.0"}})
    assert table.values.tolist() == [["numpy", "2.0", "c"], ["numpy", "2.4.6", "a, b"], ["torch", "2.14.1", "b"]]


@pytest.mark.parametrize("path", ["config.yaml", "tests/config.tiny.yaml", "configs/paper.yaml"])
def test_the_config_is_written_as_yaml_that_reads_back_equal(path):
    config = yaml.safe_load((REPO / path).read_text())
    assert yaml.safe_load(to_yaml(config)) == config


def test_yaml_of_awkward_values():
    value = {"lr": 1e-05, "big": 1e20, "words": ["yes", "no", "", "a: b", "-x", "1.5", "null"], "y": None, "t": True,
             "runs": [{"method": "vrgan", "seeds": [0, 1]}, {"method": "vagan", "seeds": []}], "empty": {}, "key with space": "ok"}  # fmt: skip
    text = to_yaml(value)
    assert yaml.safe_load(text) == value
    assert "lr: 1.0e-05\n" in text and "  seeds: [0, 1]\n" in text and "- method: vrgan\n" in text


def test_key_order_free_sorts_every_nested_mapping_and_keeps_list_order():
    a = {"privacy": {"key_file": ".k", "date_shift_min_days": 1}, "runs": [{"seed": 1, "method": "vagan"}, 3, [{"b": 0, "a": 1}]]}
    b = {"runs": [{"method": "vagan", "seed": 1}, 3, [{"a": 1, "b": 0}]], "privacy": {"date_shift_min_days": 1, "key_file": ".k"}}
    assert repr(a) != repr(b) and repr(key_order_free(a)) == repr(key_order_free(b))
    assert key_order_free(a) == a and list(key_order_free(a)["privacy"]) == ["date_shift_min_days", "key_file"]
    assert key_order_free([2, 1]) == [2, 1] and key_order_free("text") == "text"


def inputs():
    return {"toy_summary": toy_summary(), "toy_figure": "../toy/figure_toy.png", "progression": "../xray/progression.gif"}


def provenance(**git):
    git = git or {"commit": "0123456789abcdef0123456789abcdef01234567", "dirty": False, "note": ""}
    host = {"platform": "Linux", "processor": "x86_64", "cpus": 2, "gpus": []}
    return {"git": git, "machine": host, "date": "2026-11-26T12:00:00+00:00", "snakemake": "9.27.1", "versions": {"numpy": "2.4.6"}}


def test_the_summary_without_x_ray_names_the_commit_the_config_and_the_figures():
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    del config["xray"]
    data = {"stage": "toy_data", "counts": {"train_images": 2000, "test_pairs": 558}, "versions": {"numpy": "2.4.6"}}
    text = render_summary(inputs() | {"toy_data": data}, config, provenance())
    assert "| toy | exact (rendered squares) | 0.780 ± 0.007 | 0.853 ± 0.014 |" in text
    assert "| training images | 10,000 | 2,000 | 3,414 |" in text and "| test pairs | 5,424 | 558 | 587 |" in text
    assert "x-ray | registration" not in text and "No x-ray rows: the config has no `xray:` section." in text
    assert "from commit `0123456789ab`." in text
    assert "- commit: `0123456789abcdef0123456789abcdef01234567` (clean work tree)" in text
    assert "![Toy study, Fig. 2 style](../toy/figure_toy.png)" in text and "*Paper Fig. 2 (224 px)" in text
    assert "![Progression" in text and "figure_attribution" not in text
    assert "| snakemake | 9.27.1 | workflow |" in text and "| numpy | 2.4.6 | toy_data, report |" in text
    assert "- toy, exact (rendered squares): VR-GAN 0.782 vs VA-GAN 0.275: VR-GAN ahead" in text
    block = text.split("```yaml\n")[1].split("```")[0]
    assert yaml.safe_load(block) == config
    assert "How good is the registration ground truth?" not in text


def test_the_summary_handles_a_missing_phantom_truth_and_no_git():
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    found = inputs() | {"xray_summary": xray_summary(), "xray_summary_truth": None}
    git = {"commit": None, "dirty": None, "note": "fatal: not a git repository"}
    text = render_summary(found, config, provenance(**git))
    assert "| x-ray | registration | 0.012 ± 0.015 | 0.127 ± 0.017 | 0.020 (n = 1) | 0.100 ± 0.010 (n = 2) |" in text
    assert "phantom's true Δx" not in text and "No phantom-truth row" in text
    assert "- commit: none (fatal: not a git repository)" in text and "from commit `none`" in text


def test_the_summary_of_an_export_without_the_toy_study_has_no_toy_column():
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["studies"] = ["xray"]
    config["cohort"] |= {"source": "export", "dicom_dir": "/data/PIDZQ MUELLER^HANS/dicom", "pft_csv": "/data/p.csv"}
    text = render_summary({"xray_summary": xray_summary()}, config, provenance())
    assert "No toy rows: `studies` does not list toy." in text and "exact (rendered squares)" not in text
    block = yaml.safe_load(text.split("```yaml\n")[1].split("```")[0])
    assert "MUELLER" not in text and block["cohort"]["dicom_dir"] == block["cohort"]["pft_csv"] == HIDDEN_PATH
    assert block["cohort"]["transplants_csv"] is None and block["cohort"]["source"] == "export"
    scale = text.split("Scale of this run against the paper's")[1].split("\n\n")[1]
    assert scale.splitlines()[0] == "| setting | paper toy | paper x-ray | ours x-ray |"


def test_git_state_outside_and_inside_a_repository(tmp_path):
    outside = git_state(tmp_path)
    assert outside["commit"] is None and outside["dirty"] is None and "not a git repository" in outside["note"]
    run = lambda *args: subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (tmp_path / "Snakefile").write_text("a\n")
    run("add", "Snakefile")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    (tmp_path / "results.csv").write_text("untracked\n")  # untracked files do not count
    state = git_state(tmp_path)
    assert len(state["commit"]) == 40 and state["dirty"] is False and state["note"] == ""
    (tmp_path / "Snakefile").write_text("b\n")
    assert git_state(tmp_path)["dirty"] is True
    assert {"platform", "processor", "cpus", "gpus"} == set(machine())


def test_progression_frames_and_gif(tmp_path):
    x = np.linspace(-1, 1, 64, dtype=np.float32).reshape(8, 8)
    y_primes = [0.9, 0.6, 0.3]
    maps = np.stack([np.full((8, 8), 0.7 - v, np.float32) for v in y_primes])
    frames = progression_frames(x, 0.72, y_primes, maps, "FEV1/FVC", dpi=40)
    assert len(frames) == 3 and all(f.dtype == np.uint8 and f.ndim == 2 and f.shape == frames[0].shape for f in frames)
    assert not np.array_equal(frames[0], frames[1])
    save_gif(frames, tmp_path / "p.gif", fps=4)
    with Image.open(tmp_path / "p.gif") as gif:
        assert gif.n_frames == 3 and gif.info["duration"] == 250 and gif.info["loop"] == 0
        assert gif.size == frames[0].shape[::-1]
    with pytest.raises(ValueError, match="3 desired labels for 2 maps"):
        progression_frames(x, 0.72, y_primes, maps[:2])
    with pytest.raises(ValueError, match="no frame"):
        save_gif([], tmp_path / "q.gif", fps=4)
    with pytest.raises(ValueError, match="frame 1 is float32"):
        save_gif([frames[0], frames[1].astype(np.float32)], tmp_path / "q.gif", fps=4)
    assert not (tmp_path / "q.gif").exists()


def test_the_summary_has_a_floor_and_ceiling_table_per_study_and_the_toy_by_scale():
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    supervised = pd.DataFrame({"method": ["supervised"], "kind": ["model"], "n_seeds": [1], "mean": [0.95], "std": [NAN]})
    toy = pd.concat([toy_summary(), supervised], ignore_index=True).assign(specific_mean=[0.3, 0.1, 0.2, 0.0, 0.05, 0.6])
    xray = xray_summary().assign(overlap_mean=0.5)
    floor = pd.DataFrame({"method": ["mean_validation_map"], "size": [224], "ncc": [0.7466], "ncc_specific": [0.0], "n_pairs": [5424]})
    validity = pd.DataFrame(
        {"method": ["vrgan"], "mae_mean": [0.064], "mae_std": [0.012], "corr_mean": [0.875], "corr_std": [0.025]}
    )
    found = inputs() | {"toy_summary": toy, "xray_summary": xray, "toy_paper_floor": floor, "xray_validity": validity}
    text = render_summary(found, config, provenance())
    section = text.split("## Floor and ceiling")[1].split("\n## ")[0]
    assert "**toy, exact (rendered squares)**" in section and "**x-ray, registration**" in section
    assert "| supervised ceiling | ceiling: trained on the ground truth | 0.950 | 0.600 |" in section
    assert "| mean validation map | **floor**: best input-independent map | 0.762 | 0.000 |" in section
    assert "| VR-GAN | learned | 0.100 ± 0.010 | — | 0.500 | 0.064 ± 0.012 | 0.875 ± 0.025 |" in section
    assert "input-specific NCC" in section and "0 for a constant map and for m itself" in section
    assert "| mean validation map | — | 0.747 | 0.762 |" in text  # the toy by scale
    assert results_table(comparison_table({"toy_summary": toy}))["ours: supervised ceiling"].tolist() == ["0.950 (n = 1)"]
