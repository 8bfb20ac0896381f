"""Snakemake adapter: flow.csv and the stage tables vs the demo export's truth/ -> flow_vs_truth.csv
(vrgan.demo.flow_truth). Fails, naming the checks, when any disagrees."""

import logging

import pandas as pd

from vrgan.artefacts import log_to, write_table
from vrgan.cohort.privacy import pseudonymizer_from_settings
from vrgan.demo import FlowDisagreesWithTruth, check_agreement, compare_flow_with_truth

log_to(snakemake.log[0])
i = snakemake.input
tables = {name: pd.read_parquet(getattr(i, name)) for name in ("ingest", "matches", "cohort", "pairs")}
tables |= {name: pd.read_csv(getattr(i, name)) for name in ("pft_rejected", "splits")}
pseudo = pseudonymizer_from_settings(snakemake.params.privacy)
table = compare_flow_with_truth(pd.read_csv(i.flow), i.truth, tables, pseudo)
logging.info("checks: %s\n%s", table["result"].value_counts().to_dict(), table.to_string())
try:
    check_agreement(table)
except FlowDisagreesWithTruth as err:
    logging.error("%s\n%s", err, table[table["result"] == "disagree"].to_string())
    raise
write_table(table, snakemake.output.table)
