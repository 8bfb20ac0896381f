"""A synthetic hospital export for the VR-GAN chest x-ray branch.

``write_export`` writes DICOM files (CR/DX, several transfer syntaxes and photometrics, planted
broken files), a PFT table and a transplant list, plus ``truth/`` tables that say exactly what
was planted; ``render_pair_truth`` gives the true disease effect between two exams of a subject.

Modules: ``anatomy`` (per-subject parameters), ``layers`` and ``phantom`` (rendering),
``cohort_law`` (subjects, visits), ``pft_law`` (PFT rows), ``plan`` (what each file will be), ``pixel_encoding``,
``jpeg_lossless``, ``dicom_writer``, ``acquisition``, ``export``, ``truth_tables``, ``truth``,
``figure``.
"""

# The exports (listed in __init__.pyi) are imported on first use: importing one module of the
# package, as the workflow's Snakefile does, does not import the others and their torch,
# pydicom or matplotlib (vrgan.lazy).
from vrgan.lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
