"""The demo wing: everything that exists only for the embedded synthetic export.

The study library (the rest of ``vrgan``) never imports this package; the demo imports the study.

- ``synth``: the synthetic hospital export (DICOM files with a real export's quirks, a PFT
  table, a transplant list) and its ``truth/`` tables, including the phantom's true disease effect;
- ``export``: where the demo export lives and the settings it cannot agree with;
- ``flow_truth``: the cohort flow checked against what the export planted (``flow_vs_truth.csv``);
- ``truth_maps``: the phantom's true Δx of every evaluation pair, in the preprocessed space, and
  its agreement with the registration ground truth;
- ``train_pairs``: pairs of one training subject's exams with their true Δx (the x-ray
  supervised ceiling, which needs the truth).

Rules: ``rules/demo.smk``.
"""

# The exports (listed in __init__.pyi) are imported on first use (vrgan.lazy).
from vrgan.lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
