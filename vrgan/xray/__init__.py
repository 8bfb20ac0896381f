"""X-ray stages of the COPD study (paper section 3.2, issue 5): the preprocessed-image cache,
the registration ground truth of every evaluation pair, and the datasets the trainer consumes
(the demo phantom's true maps are the demo wing's, ``vrgan.demo``). The pure functions live in ``vrgan.preprocessing`` and
``vrgan.registration``; the Snakemake adapters ``workflow_scripts/xray_*.py`` call these.

- ``preprocess_cohort_images`` / ``PreprocessedImages``: ``results/xray/preprocessed``;
- ``register_cohort_pairs``, ``save_maps``, ``load_maps``: ``registration.parquet`` and maps;
- ``build_training_set``, ``build_pair_set``, ``write_npz``: ``results/xray/data``;
- ``draw_registration_figure``: the Fig. 3-style figure.

Figs. 4 and 5 of the trained generators are drawn by ``vrgan.attribution`` (it needs torch, which
the imaging environment of these stages does not have).
"""

# The exports (listed in __init__.pyi) are imported on first use: importing one module of the
# package, as the workflow's Snakefile does, does not import the others and their torch,
# pydicom or matplotlib (vrgan.lazy).
from vrgan.lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
