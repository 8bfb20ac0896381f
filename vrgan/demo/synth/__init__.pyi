# The exports of vrgan.demo.synth, each imported from its module on first use (vrgan.lazy reads
# this file; so do type checkers and vrgan_workflow.imports). Docstring: __init__.py.

from vrgan.demo.synth.export import write_export
from vrgan.demo.synth.truth import SynthTruth, load_truth, render_exam_truth, render_pair_truth

__all__ = ["write_export", "SynthTruth", "load_truth", "render_exam_truth", "render_pair_truth"]
