# The exports of vrgan.demo, each imported from its module on first use (vrgan.lazy reads
# this file; so do type checkers and vrgan_workflow.imports). Docstring: __init__.py.

from .flow_truth import FlowDisagreesWithTruth, check_agreement, compare_flow_with_truth
from .train_pairs import PAIR_COLUMNS, build_training_pair_truth, training_pairs
from .truth_maps import compare_ground_truths, link_pairs_to_truth, render_truth_maps, summarize_agreement, truth_map

__all__ = [
    "PAIR_COLUMNS",
    "FlowDisagreesWithTruth",
    "build_training_pair_truth",
    "check_agreement",
    "compare_flow_with_truth",
    "compare_ground_truths",
    "link_pairs_to_truth",
    "render_truth_maps",
    "summarize_agreement",
    "training_pairs",
    "truth_map",
]
