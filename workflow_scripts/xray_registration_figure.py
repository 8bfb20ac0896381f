"""Snakemake adapter: registration.parquet + maps -> figure_registration.png, Fig. 3 style (vrgan.xray.figure)."""

import logging

import pandas as pd

from vrgan.artefacts import log_to
from vrgan.xray import PreprocessedImages, draw_registration_figure, load_maps

log_to(snakemake.log[0])
truth = load_maps(snakemake.input.truth_maps) if hasattr(snakemake.input, "truth_maps") else None
drawn = draw_registration_figure(
    pd.read_parquet(snakemake.input.table),
    load_maps(snakemake.input.maps),
    PreprocessedImages(snakemake.input.preprocessed),
    snakemake.output.figure,
    snakemake.params.n_pairs,
    truth,
)
logging.info("drew %d pairs: %s", len(drawn), drawn["pair_id"].tolist())
