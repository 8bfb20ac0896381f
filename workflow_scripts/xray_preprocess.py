"""Snakemake adapter: every cohort image -> results/xray/preprocessed/ shards + index + manifest (vrgan.xray)."""

import pandas as pd

from vrgan.artefacts import atomic_write, log_to
from vrgan.xray import preprocess_cohort_images
from vrgan.xray.summary import preprocess_counts, write_xray_summary

log_to(snakemake.log[0])
cohort = pd.read_parquet(snakemake.input.cohort)
with atomic_write(snakemake.output.preprocessed) as preprocessed:  # complete or not at all
    index, manifest = preprocess_cohort_images(
        cohort["image_key"], snakemake.input.images, preprocessed, snakemake.params.resize, snakemake.threads
    )
parameters = {"resize": snakemake.params.resize, "equalization": "distinct_values_cdf", "threads": snakemake.threads}
write_xray_summary(snakemake.output.summary, "xray_preprocess", preprocess_counts(index, manifest), parameters)
