"""Snakemake adapter: rules toy_summary / xray_summary -> ncc.csv, summary.csv, curves figure."""

import logging

import pandas as pd

from vrgan.artefacts import log_to, save_figure, write_table
from vrgan.evaluation import seed_table, summary_table
from vrgan.figures import seed_curves_figure

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
runs = [tuple(run) for run in snakemake.params.runs]
per_pair = {run: pd.read_csv(path) for run, path in zip(runs, snakemake.input.runs)}
baselines = pd.read_csv(snakemake.input.baselines)
per_pair.update({(name, None): group for name, group in baselines.groupby("method", sort=False)})

seeds = seed_table(per_pair, snakemake.params.column)
write_table(seeds, snakemake.output.seeds)
summary = summary_table(seeds)
write_table(summary, snakemake.output.summary)
logging.info("test NCC (%s):\n%s", snakemake.params.column, summary.to_string(index=False))

histories = {run: pd.read_csv(path) for run, path in zip(runs, snakemake.input.histories)}
save_figure(seed_curves_figure(histories, snakemake.params.title), snakemake.output.curves, dpi=100)
