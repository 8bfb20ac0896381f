"""Snakemake adapter: cohort.parquet -> splits.csv (subject level) + pairs.parquet (vrgan.cohort.splits)."""

import pandas as pd

from vrgan.artefacts import log_to, write_summary, write_table
from vrgan.cohort import make_pairs, split_subjects
from vrgan.cohort.counts import split_counts
from vrgan.cohort.splits import check_splits

log_to(snakemake.log[0])
split = snakemake.params.split
cohort = pd.read_parquet(snakemake.input.cohort)
splits = split_subjects(cohort, split["validation_fraction"], split["test_fraction"], split["seed"])
pairs = make_pairs(cohort, splits)
check_splits(splits, pairs, split["validation_fraction"], split["test_fraction"])  # before any output
write_table(splits, snakemake.output.splits)
write_table(pairs, snakemake.output.pairs)
write_summary(snakemake.output.summary, "split", split_counts(cohort, splits, pairs), dict(split))
