"""X-ray stages of the COPD study (paper section 3.2, issue 5): the preprocessed-image cache,
the registration ground truth of every evaluation pair, the phantom's true maps on the demo,
and the datasets the trainer consumes. The pure functions live in ``vrgan.preprocessing`` and
``vrgan.registration``; the Snakemake adapters ``workflow_scripts/xray_*.py`` call these.

- ``preprocess_cohort_images`` / ``PreprocessedImages``: ``results/xray/preprocessed``;
- ``register_cohort_pairs``, ``save_maps``, ``load_maps``: ``registration.parquet`` and maps;
- ``render_truth_maps``, ``compare_ground_truths``: the demo's true Δx and its agreement;
- ``build_training_set``, ``build_pair_set``, ``write_npz``: ``results/xray/data``;
- ``draw_registration_figure``: the Fig. 3-style figure.

Figs. 4 and 5 of the trained generators are drawn by ``vrgan.attribution`` (it needs torch, which
the imaging environment of these stages does not have).
"""

from .datasets import PAIR_FILES, build_pair_set, build_training_set, write_npz
from .figure import draw_registration_figure
from .ground_truth import load_maps, pair_ids, register_cohort_pairs, save_maps
from .preprocessed import PreprocessedImages, preprocess_cohort_images
from .truth_maps import compare_ground_truths, link_pairs_to_truth, render_truth_maps, summarize_agreement

__all__ = [
    "PAIR_FILES",
    "PreprocessedImages",
    "build_pair_set",
    "build_training_set",
    "compare_ground_truths",
    "draw_registration_figure",
    "link_pairs_to_truth",
    "load_maps",
    "pair_ids",
    "preprocess_cohort_images",
    "register_cohort_pairs",
    "render_truth_maps",
    "save_maps",
    "summarize_agreement",
    "write_npz",
]
