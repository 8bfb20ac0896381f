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

# scores: output name -> per-pair NCC column (toy: one column); subsets: named pair exclusions.
p = snakemake.params
scores, subsets = p.get("scores"), p.get("subsets")
tables = []
for output, column in (scores or {"summary": p.column}).items():
    seeds = seed_table(per_pair, column, subsets)
    summary = summary_table(seeds)
    write_table(summary, getattr(snakemake.output, output))
    logging.info("test NCC (%s):\n%s", column, summary.to_string(index=False))
    if scores:  # several ground truths: say which one each row is scored against
        seeds.insert(2, "target", column.removeprefix("ncc_"))
    tables.append(seeds)
write_table(pd.concat(tables, ignore_index=True), snakemake.output.seeds)

histories = {run: pd.read_csv(path) for run, path in zip(runs, snakemake.input.histories)}
save_figure(seed_curves_figure(histories, snakemake.params.title), snakemake.output.curves, dpi=100)
