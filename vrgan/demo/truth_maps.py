"""Demo only: the phantom's true disease effect of every pair, in the preprocessed space of x.

For a pair (x, x') of the synthetic export, ``vrgan.demo.synth.render_pair_truth`` renders x's
image noise-free at x's severity (a) and at x''s severity (b), with x's pose, exposure, size
and encoding, in the decoded space of the cohort cache. Both renderings then go through
exactly x's preprocessing: the same crop box and resize (same shape) and **x's equalisation
lookup table** (``equalization_mapping`` of the decoded x, applied with ``apply_equalization``)
rather than each rendering's own histogram: equalisation is nonlinear and image-dependent, so
equalising a and b separately would add a global intensity re-mapping to the difference;
with x's table, ``Δx_true = pre(b) - pre(a)`` is the disease effect on the intensity scale of
the image the model is given, zero outside the lung fields of both severities (up to the
resize kernel's reach). The noisy x maps through its own table exactly as
``xray_preprocess`` did (checked per pair: ``x_reproduced``).

The truth uses the original exam ids and SOPInstanceUIDs; they are hashed with the cohort's
``Pseudonymizer`` to find the pairs and never leave memory (outputs hold ``pair_id`` only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vrgan.cohort import ImageCache, Pseudonymizer
from vrgan.metrics import masked_ncc, summarize_ncc
from vrgan.preprocessing import centre_crop, equalization_mapping, preprocess_image
from vrgan.demo.synth.truth import SynthTruth, render_pair_truth

from vrgan.xray.ground_truth import pair_ids
from vrgan.xray.preprocessed import PreprocessedImages

__all__ = ["compare_ground_truths", "link_pairs_to_truth", "render_truth_maps", "summarize_agreement", "truth_map"]


def link_pairs_to_truth(pairs: pd.DataFrame, truth: SynthTruth, pseudo: Pseudonymizer) -> pd.DataFrame:
    """The truth's ids of every pair (in memory only: the result holds original identifiers).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``pairs``: ``pair_id, exam_a, image_a, exam_b`` (x's exam id and
        SOPInstanceUID, x''s exam id); NaN where a key is not in the truth.
    """
    files = truth.files[truth.files["rows"].notna()]
    image_to_exam = {pseudo.image(u): (e, u) for u, e in zip(files["sop_instance_uid"], files["exam_id"])}
    study_to_exam = {pseudo.exam(u): e for u, e in zip(truth.exams["study_uid"], truth.exams["exam_id"])}
    x = pairs["x_image_key"].map(image_to_exam)
    return pd.DataFrame(
        {
            "pair_id": pair_ids(pairs),
            "exam_a": x.map(lambda v: v[0] if isinstance(v, tuple) else np.nan),
            "image_a": x.map(lambda v: v[1] if isinstance(v, tuple) else np.nan),
            "exam_b": pairs["x_prime_exam_key"].map(study_to_exam),
        },
        index=pairs.index,
    )


def truth_map(
    truth: SynthTruth, x_decoded: np.ndarray, exam_a: str, exam_b: str, image_a: str, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """The true Δx of one pair and x preprocessed, both on x's scale.

    Parameters
    ----------
    truth : SynthTruth
    x_decoded : ndarray of shape (H, W)
        The decoded x (``ImageCache.load``): gives the equalisation table.
    exam_a, exam_b, image_a : str
        Truth ids of x's exam, x''s exam and x's image.
    size : int
        ``xray.preprocess.resize``.

    Returns
    -------
    delta : ndarray of shape (size, size), float32
        ``pre(b) - pre(a)`` in model units.
    x_pre : ndarray of shape (size, size), float32
        x through the same mapping (equals ``preprocess_image(x_decoded, size)``).
    """
    a, b = render_pair_truth(truth, exam_a, exam_b, image_a=image_a)
    if a.shape != x_decoded.shape:
        raise ValueError(f"rendering {a.shape} and decoded image {x_decoded.shape} differ in shape")
    mapping = equalization_mapping(x_decoded)
    pre_a, meta_a = preprocess_image(a, size, equalization=mapping)
    pre_b, meta_b = preprocess_image(b, size, equalization=mapping)
    x_pre, meta_x = preprocess_image(x_decoded, size, equalization=mapping)
    if not meta_a.crop_box == meta_b.crop_box == meta_x.crop_box:  # same shape: cannot happen
        raise RuntimeError("renderings and x were cropped differently")
    return (pre_b.astype(np.float64) - pre_a).astype(np.float32), x_pre


def render_truth_maps(
    pairs: pd.DataFrame,
    truth: SynthTruth,
    pseudo: Pseudonymizer,
    cache: ImageCache,
    images: PreprocessedImages,
    size: int,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """True Δx of every pair that links to the truth and was preprocessed.

    Returns
    -------
    table : pandas.DataFrame
        Per pair: ``pair_id, split, status`` (``ok``, ``not_in_truth``, ``image_not_preprocessed``),
        ``x_reproduced`` (the preprocessed x equals the cached one exactly), ``nonzero_fraction``.
    maps : dict
        ``pair_id`` (M,) and ``delta`` (M, size, size) float32.
    """
    links = link_pairs_to_truth(pairs, truth, pseudo)
    rows, ids, deltas = [], [], []
    for i, pair in pairs.iterrows():
        link = links.loc[i]
        row = {"pair_id": link["pair_id"], "split": pair["split"], "x_reproduced": pd.NA, "nonzero_fraction": np.nan}
        if link[["exam_a", "image_a", "exam_b"]].isna().any():
            rows.append({**row, "status": "not_in_truth"})
            continue
        if pair["x_image_key"] not in images:
            rows.append({**row, "status": "image_not_preprocessed"})
            continue
        delta, x_pre = truth_map(
            truth, cache.load(pair["x_image_key"]), link["exam_a"], link["exam_b"], link["image_a"], size
        )
        row["x_reproduced"] = bool(np.array_equal(x_pre, images.load(pair["x_image_key"])))
        row["nonzero_fraction"] = float(np.count_nonzero(delta) / delta.size)
        rows.append({**row, "status": "ok"})
        ids.append(link["pair_id"])
        deltas.append(delta)
    table = pd.DataFrame(rows, columns=["pair_id", "split", "status", "x_reproduced", "nonzero_fraction"])
    maps = {
        "pair_id": np.asarray(ids, dtype=str),
        "delta": np.stack(deltas) if deltas else np.zeros((0, size, size), np.float32),
    }
    return table, maps


def compare_ground_truths(
    registration: pd.DataFrame,
    registration_maps: dict[str, np.ndarray],
    truth_maps: dict[str, np.ndarray],
    images: PreprocessedImages,
    crop: int,
) -> pd.DataFrame:
    """NCC of the registration ground truth (and of the plain difference) with the true Δx.

    Scored like the models: on the evaluation centre crop (``crop``), whole crop, no mask.

    Returns
    -------
    pandas.DataFrame
        Per pair with both maps: ``pair_id, split, registration_status,
        ncc_registration_vs_truth, ncc_unregistered_vs_truth`` (the latter for ``x' - x``
        without alignment, a floor).
    """
    reg = {p: k for k, p in enumerate(registration_maps["pair_id"])}
    tru = {p: k for k, p in enumerate(truth_maps["pair_id"])}
    rows = []
    for pair in registration.itertuples(index=False):
        if pair.pair_id not in reg or pair.pair_id not in tru:
            continue
        truth = centre_crop(truth_maps["delta"][tru[pair.pair_id]], crop)
        delta = centre_crop(registration_maps["delta"][reg[pair.pair_id]], crop)
        raw = centre_crop(images.load(pair.x_prime_image_key) - images.load(pair.x_image_key), crop)
        rows.append(
            {
                "pair_id": pair.pair_id,
                "split": pair.split,
                "registration_status": pair.status,
                "ncc_registration_vs_truth": masked_ncc(delta, truth),
                "ncc_unregistered_vs_truth": masked_ncc(raw, truth),
            }
        )
    columns = ["pair_id", "split", "registration_status", "ncc_registration_vs_truth", "ncc_unregistered_vs_truth"]
    return pd.DataFrame(rows, columns=columns)


def summarize_agreement(compared: pd.DataFrame) -> dict[str, dict]:
    """Mean/std/n of both NCC columns of ``compare_ground_truths``, per split, with all pairs and
    without the ``failed`` registrations: ``{column: {split: {"all": ..., "without_failed": ...}}}``."""
    summary: dict[str, dict] = {}
    for column in ("ncc_registration_vs_truth", "ncc_unregistered_vs_truth"):
        summary[column] = {}
        for split, group in compared.groupby("split"):
            kept = group[group["registration_status"] != "failed"]
            summary[column][split] = {
                "all": summarize_ncc(group[column]),
                "without_failed": summarize_ncc(kept[column]),
            }
    return summary
