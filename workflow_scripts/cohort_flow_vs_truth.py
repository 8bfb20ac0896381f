"""Snakemake adapter: flow.csv vs the demo export's truth/ -> flow_vs_truth.csv (vrgan.cohort.flow)."""

import logging
from pathlib import Path

import pandas as pd

from vrgan.cohort import compare_flow_with_truth
from vrgan.cohort.privacy import pseudonymizer_from_settings
from vrgan.cohort.artefacts import log_to

log_to(snakemake.log[0])
p = snakemake.params
pseudo = pseudonymizer_from_settings(p.privacy)
table = compare_flow_with_truth(
    pd.read_csv(snakemake.input.flow),
    Path(snakemake.input.truth),
    pd.read_parquet(snakemake.input.ingest),
    pd.read_csv(snakemake.input.pft_rejected),
    pseudo,
)
table.to_csv(snakemake.output.table, index=False)
disagree = table[table["agrees"].eq(False)]
logging.info("%d of %d checks agree; disagreeing:\n%s", int(table["agrees"].sum()), len(table), disagree.to_string())
