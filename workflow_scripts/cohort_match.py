"""Snakemake adapter: PA exams (one image per study) x PFTs -> matches.parquet (vrgan.cohort.matching)."""

import logging

import pandas as pd

from vrgan.artefacts import log_to, write_summary, write_table
from vrgan.cohort import match_exams, select_pa_exams
from vrgan.cohort.counts import match_counts

log_to(snakemake.log[0])
exams, not_pa, extra = select_pa_exams(pd.read_parquet(snakemake.input.ingest))
pfts = pd.read_parquet(snakemake.input.pft)
matches, unmatched = match_exams(exams, pfts, snakemake.params.window_days)
write_table(matches, snakemake.output.table)
extra_images = extra[["exam_key", "image_key", "kept_image_key"]].assign(reason="extra_pa_image_in_study")
write_table(extra_images, snakemake.output.extra_images)
write_table(unmatched[["kind", "id", "reason"]], snakemake.output.unmatched)
counts = match_counts(exams, not_pa, extra, pfts, matches, unmatched)
logging.info("matches: %s", counts)
write_summary(snakemake.output.summary, "match", counts, {"window_days": snakemake.params.window_days})
