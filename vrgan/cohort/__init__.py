"""Cohort stages of the COPD study (paper section 3.2): DICOM ingest, PFT table, matching
within a window, PA and transplant filters, subject split and (x, x') pairs, cohort flow.

Public API (the Snakemake adapters in ``workflow_scripts/cohort_*.py`` call these):

- ``match_pfts_to_exams(exams, pfts, window_days=30)``: mutual-nearest one-to-one matching;
- ``ImageCache(images_dir)`` / ``load_cached_image(images_dir, image_key)``: decoded images;
- ``ingest_export``, ``read_pft_csv``, ``clean_pfts``, ``select_pa_exams``, ``match_exams``,
  ``build_cohort``, ``split_subjects``, ``make_pairs``, ``build_flow``, ``draw_flow``;
  ``Pseudonymizer`` and ``load_or_create_key`` for privacy. The flow's comparison with the demo
  export's truth is the demo wing's (``vrgan.demo.flow_truth``).
"""

# The exports (listed in __init__.pyi) are imported on first use: importing one module of the
# package, as the workflow's Snakefile does, does not import the others and their torch,
# pydicom or matplotlib (vrgan.lazy).
from vrgan.lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
