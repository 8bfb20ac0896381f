"""The x-ray stage functions on a fake decoded cache in the real on-disk layout (vrgan.xray)."""

import numpy as np
import pandas as pd
import pytest
from scipy import ndimage as ndi

from vrgan.cohort.image_cache import INDEX_COLUMNS, INDEX_NAME
from vrgan.preprocessing import CropBox, centre_crop, preprocess_image
from vrgan.registration import RegistrationThresholds
from vrgan.xray import (
    PreprocessedImages,
    build_pair_set,
    build_training_set,
    load_maps,
    preprocess_cohort_images,
    register_cohort_pairs,
    save_maps,
)

SIZE, CROP = 20, 16


def chest(rows, cols, seed):
    """A smooth image holding integers, a little shifted per seed."""
    rng = np.random.default_rng(seed)
    base = ndi.gaussian_filter(np.random.default_rng(0).normal(size=(64, 64)), 4)
    base = ndi.shift(base, rng.normal(0, 1.5, size=2), mode="nearest")
    image = ndi.zoom(base, (rows / 64, cols / 64), order=1)
    return np.round(2000 + 1000 * image / image.std()).astype(np.float32)


@pytest.fixture(scope="module")
def decoded(tmp_path_factory):
    """A decoded cache of 7 images in two shards (one constant), like results/cohort/images."""
    root = tmp_path_factory.mktemp("decoded")
    shapes = [(40, 33), (36, 36), (40, 33), (38, 31), (40, 40), (40, 33), (30, 30)]
    images = {f"img{i}": chest(*s, seed=i) for i, s in enumerate(shapes)}
    images["img6"] = np.full(shapes[6], 5.0, np.float32)
    rows = []
    for shard, keys in (
        ("shard-000.npy", ["img0", "img1", "img2", "img3"]),
        ("shard-001.npy", ["img4", "img5", "img6"]),
    ):
        flat, offset = [], 0
        for key in keys:
            img = images[key]
            rows.append(
                {"image_key": key, "shard": shard, "offset": offset, "rows": img.shape[0], "columns": img.shape[1]}
            )
            flat.append(img.ravel())
            offset += img.size
        np.save(root / shard, np.concatenate(flat))
    index = pd.DataFrame(rows)
    for column in INDEX_COLUMNS:
        if column not in index:
            index[column] = {"photometric": "MONOCHROME2", "inverted": False}.get(column, 1.0)
    index[INDEX_COLUMNS].to_parquet(root / INDEX_NAME, index=False)
    return root, images


@pytest.fixture(scope="module")
def preprocessed(decoded, tmp_path_factory):
    root, _ = decoded
    out = tmp_path_factory.mktemp("pre") / "preprocessed"
    keys = [f"img{i}" for i in range(7)] + ["missing"]
    index, manifest = preprocess_cohort_images(keys, root, out, SIZE, threads=1)
    return out, index, manifest


def test_preprocessed_index_and_manifest_bookkeeping(decoded, preprocessed):
    _, images = decoded
    out, index, manifest = preprocessed
    status = manifest.set_index("image_key")
    assert status.loc["missing", "reason"] == "not_in_cache"
    assert status.loc["img6", "status"] == "failed" and "constant" in status.loc["img6", "reason"]
    assert (status.drop(["missing", "img6"])["status"] == "ok").all()
    row = index.set_index("image_key").loc["img3"]
    assert (row.original_rows, row.original_columns) == (38, 31)
    assert (row.crop_top, row.crop_left, row.crop_size) == (3, 0, 31) and row.resize == SIZE
    assert row.equalization == "distinct_values_cdf" and row.n_levels == np.unique(images["img3"]).size
    cache = PreprocessedImages(out)
    assert len(cache) == 6 and "img6" not in cache and cache.size == SIZE
    for key in ("img0", "img4"):
        np.testing.assert_array_equal(cache.load(key), preprocess_image(images[key], SIZE)[0])
    assert list(np.load(out / "shard-001.npy").shape) == [2, SIZE, SIZE]
    with pytest.raises(KeyError, match="img6"):
        cache.load("img6")


def test_preprocessing_in_processes_gives_the_same_files(decoded, preprocessed, tmp_path):
    root, _ = decoded
    out, index, manifest = preprocessed
    index2, manifest2 = preprocess_cohort_images([f"img{i}" for i in range(7)] + ["missing"], root, tmp_path, SIZE, 2)
    pd.testing.assert_frame_equal(index, index2)
    pd.testing.assert_frame_equal(manifest, manifest2)
    for shard in ("shard-000.npy", "shard-001.npy"):
        np.testing.assert_array_equal(np.load(out / shard), np.load(tmp_path / shard))


def pairs_table():
    return pd.DataFrame(
        {
            "split": ["validation", "test", "test", "test"],
            "patient_key": ["p0", "p1", "p1", "p2"],
            "x_image_key": ["img0", "img2", "img2", "img4"],
            "y": [0.8, 0.75, 0.75, 0.9],
            "x_prime_image_key": ["img1", "img3", "img5", "img6"],
            "x_prime_exam_key": ["e1", "e3", "e5", "e6"],
            "y_prime": [0.5, 0.6, 0.65, 0.4],
        }
    )


@pytest.fixture(scope="module")
def registered(preprocessed, tmp_path_factory):
    out, _, _ = preprocessed
    table, maps = register_cohort_pairs(pairs_table(), PreprocessedImages(out), RegistrationThresholds(), threads=1)
    path = tmp_path_factory.mktemp("maps") / "registration_maps.npz"
    save_maps(path, **maps)
    return table, load_maps(path)


def test_registration_table_rows_statuses_and_maps(registered):
    table, maps = registered
    assert table["pair_id"].tolist() == ["img0_img1", "img2_img3", "img2_img5", "img4_img6"]
    last = table.iloc[3]
    assert last.status == "failed" and last.reason == "image_not_preprocessed" and np.isnan(last.ncc_after)
    done = table.iloc[:3]
    assert set(done["status"]) <= {"ok", "barely_improved", "failed"}
    assert np.allclose(done[["m20", "m21", "m22"]], [0, 0, 1])
    assert maps["pair_id"].tolist() == done["pair_id"].tolist()
    assert maps["delta"].shape == (3, SIZE, SIZE) and maps["valid"].dtype == bool
    assert np.all(maps["delta"][~maps["valid"]] == 0)


def test_pair_sets_crop_x_and_its_maps_with_one_box(preprocessed, registered):
    out, _, _ = preprocessed
    images = PreprocessedImages(out)
    table, maps = registered
    truth = {"pair_id": maps["pair_id"], "delta": np.arange(3 * SIZE * SIZE, dtype=np.float32).reshape(3, SIZE, SIZE)}
    test = build_pair_set("test", pairs_table(), table, maps, images, CROP, truth)
    assert test["pair_id"].tolist() == ["img2_img3", "img2_img5"]  # img6 was not preprocessed
    box = CropBox(2, 2, CROP, CROP).slices()
    for k, pair in enumerate(test["pair_id"]):
        m = maps["pair_id"].tolist().index(pair)
        np.testing.assert_array_equal(test["x"][k], images.load("img2")[box])
        np.testing.assert_array_equal(test["target_registration"][k], maps["delta"][m][box])
        np.testing.assert_array_equal(test["registration_valid"][k], maps["valid"][m][box])
        np.testing.assert_array_equal(test["target_truth"][k], truth["delta"][m][box])
    assert test["y"].dtype == np.float32 and test["y_prime"].tolist() == pytest.approx([0.6, 0.65])
    val = build_pair_set("validation", pairs_table(), table, maps, images, CROP)
    assert val["x"].shape == (1, CROP, CROP) and "target_truth" not in val
    with pytest.raises(ValueError, match="no truth map"):
        build_pair_set("test", pairs_table(), table, maps, images, CROP, {k: v[:1] for k, v in truth.items()})


def test_training_set_holds_only_training_subjects(preprocessed):
    out, _, _ = preprocessed
    cohort = pd.DataFrame(
        {
            "patient_key": ["p0", "p0", "p9", "p9", "p9"],
            "image_key": ["img0", "img1", "img3", "img5", "img6"],
            "y": [0.8, 0.5, 0.6, 0.7, 0.9],
            "copd": [False, True, True, False, False],
        }
    )
    splits = pd.DataFrame({"patient_key": ["p0", "p9"], "split": ["validation", "train"]})
    train = build_training_set(cohort, splits, PreprocessedImages(out))
    assert train["image_key"].tolist() == ["img3", "img5"]  # img6 was not preprocessed
    assert train["images"].shape == (2, SIZE, SIZE) and train["y"].tolist() == pytest.approx([0.6, 0.7])
    np.testing.assert_array_equal(centre_crop(train["images"], CROP).shape, (2, CROP, CROP))


def test_agreement_summary_scores_with_and_without_failed_registrations():
    from vrgan.demo import summarize_agreement

    compared = pd.DataFrame(
        {
            "split": ["test", "test", "test"],
            "registration_status": ["ok", "failed", "barely_improved"],
            "ncc_registration_vs_truth": [0.4, -0.2, np.nan],
            "ncc_unregistered_vs_truth": [0.1, 0.0, 0.2],
        }
    )
    summary = summarize_agreement(compared)["ncc_registration_vs_truth"]["test"]
    assert summary["all"]["mean"] == pytest.approx(0.1) and summary["all"]["n_undefined"] == 1
    assert summary["without_failed"]["mean"] == pytest.approx(0.4) and summary["without_failed"]["n"] == 1
