# The exports of vrgan.xray, each imported from its module on first use (vrgan.lazy reads
# this file; so do type checkers and vrgan_workflow.imports). Docstring: __init__.py.

from .datasets import PAIR_FILES, build_pair_set, build_training_set, write_npz
from .figure import draw_registration_figure
from .ground_truth import load_maps, pair_ids, register_cohort_pairs, save_maps
from .preprocessed import PreprocessedImages, preprocess_cohort_images

__all__ = [
    "PAIR_FILES",
    "PreprocessedImages",
    "build_pair_set",
    "build_training_set",
    "draw_registration_figure",
    "load_maps",
    "pair_ids",
    "preprocess_cohort_images",
    "register_cohort_pairs",
    "save_maps",
    "write_npz",
]
