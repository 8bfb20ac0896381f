"""Training pairs of one training subject's exams with the phantom's true Δx (vrgan.demo.train_pairs)."""

import numpy as np
import pandas as pd

from vrgan.demo import train_pairs as module
from vrgan.demo.train_pairs import PAIR_COLUMNS, build_training_pair_truth, training_pairs

S = 4


class Images:
    """Preprocessed images stand-in: image i is constant i / 10."""

    def __init__(self, keys):
        self.keys = list(keys)

    def __contains__(self, key):
        return key in self.keys

    def load_many(self, keys):
        return np.stack([np.full((S, S), self.keys.index(k) / 10, np.float32) for k in keys])


COHORT = pd.DataFrame(
    {
        "patient_key": ["p1", "p1", "p1", "p2", "p3", "p3", "p4", "p4"],
        "exam_key": ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"],
        "image_key": ["i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8"],
        "y": [0.8, 0.6, 0.75, 0.9, 0.5, 0.72, 0.8, 0.6],
    }
)
SPLITS = pd.DataFrame({"patient_key": ["p1", "p2", "p3", "p4"], "split": ["train", "train", "train", "test"]})


def test_every_ordered_pair_of_one_training_subject_in_both_directions():
    images = Images(["i1", "i2", "i3", "i4", "i5", "i7", "i8"])  # i6 was not preprocessed
    pairs = training_pairs(COHORT, SPLITS, images)
    assert list(pairs.columns) == PAIR_COLUMNS and (pairs["split"] == "train").all()
    # p1: 3 images -> 6 ordered pairs; p2: a single image; p3: i6 missing; p4 is a test subject
    assert len(pairs) == 6 and set(pairs["patient_key"]) == {"p1"}
    keys = set(zip(pairs["x_image_key"], pairs["x_prime_image_key"]))
    assert keys == {(a, b) for a in ("i1", "i2", "i3") for b in ("i1", "i2", "i3") if a != b}
    row = pairs[(pairs["x_image_key"] == "i1") & (pairs["x_prime_image_key"] == "i2")].iloc[0]
    assert (row["y"], row["y_prime"], row["x_prime_exam_key"]) == (np.float32(0.8), np.float32(0.6), "e2")
    back = pairs[(pairs["x_image_key"] == "i2") & (pairs["x_prime_image_key"] == "i1")].iloc[0]
    assert (back["y"], back["y_prime"]) == (row["y_prime"], row["y"])


def test_the_pair_set_keeps_the_rendered_pairs_with_x_labels_and_maps_aligned(monkeypatch):
    images = Images(["i1", "i2", "i3"])
    pairs = training_pairs(COHORT, SPLITS, images)

    def render(pairs, truth, pseudo, cache, images, size):  # the second pair is not in the truth
        ids = (pairs["x_image_key"] + "_" + pairs["x_prime_image_key"]).to_numpy(str)
        status = np.where(np.arange(len(pairs)) == 1, "not_in_truth", "ok")
        table = pd.DataFrame({"pair_id": ids, "split": "train", "status": status})
        keep = status == "ok"
        deltas = np.stack([np.full((size, size), k, np.float32) for k in np.flatnonzero(keep)])
        return table, {"pair_id": ids[keep], "delta": deltas}

    monkeypatch.setattr(module, "render_truth_maps", render)
    table, data = build_training_pair_truth(pairs, None, None, None, images, S)
    kept = pairs.drop(index=1)
    assert len(data["y"]) == len(pairs) - 1 == len(table) - 1
    assert data["x"].shape == data["target"].shape == (len(kept), S, S)
    np.testing.assert_array_equal(data["target"][:, 0, 0], np.flatnonzero(table["status"] == "ok"))
    np.testing.assert_array_equal(data["x"][:, 0, 0], images.load_many(kept["x_image_key"])[:, 0, 0])
    np.testing.assert_array_equal(data["y_prime"], kept["y_prime"].to_numpy(np.float32))
    assert data["pair_id"].tolist() == (kept["x_image_key"] + "_" + kept["x_prime_image_key"]).tolist()
