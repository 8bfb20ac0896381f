"""A synthetic hospital export for the VR-GAN chest x-ray branch.

``write_export`` writes DICOM files (CR/DX, several transfer syntaxes and photometrics, planted
broken files), a PFT table and a transplant list, plus ``truth/`` tables that say exactly what
was planted; ``render_pair_truth`` gives the true disease effect between two exams of a subject.

Modules: ``anatomy`` (per-subject parameters), ``layers`` and ``phantom`` (rendering),
``cohort_law`` (subjects, visits), ``pft_law`` (PFT rows), ``plan`` (what each file will be), ``pixel_encoding``,
``jpeg_lossless``, ``dicom_writer``, ``acquisition``, ``export``, ``truth_tables``, ``truth``,
``figure``.
"""

from vrgan.synth.export import write_export
from vrgan.synth.truth import SynthTruth, load_truth, render_exam_truth, render_pair_truth

__all__ = ["write_export", "SynthTruth", "load_truth", "render_exam_truth", "render_pair_truth"]
