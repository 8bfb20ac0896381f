"""Snakemake adapter: PFT CSV -> pft.parquet + pft_rejected.csv (vrgan.cohort.pft)."""

import pandas as pd

from vrgan.artefacts import log_to, write_summary, write_table
from vrgan.cohort import clean_pfts, read_pft_csv
from vrgan.cohort.counts import pft_counts
from vrgan.cohort.privacy import pseudonymizer_from_settings
from vrgan.cohort.pft import PftChecks, check_rejected_rows

log_to(snakemake.log[0])
p = snakemake.params
pseudo = pseudonymizer_from_settings(p.privacy)
known = set(pd.read_parquet(snakemake.input.ingest, columns=["patient_key"])["patient_key"].dropna())
checks = PftChecks.from_settings(p.pft_checks)
raw = read_pft_csv(p.pft_csv, p.pft_columns)
accepted, rejected = clean_pfts(raw, known, pseudo, checks)
check_rejected_rows(raw, rejected, p.pft_columns, checks)
write_table(accepted, snakemake.output.table)
write_table(rejected, snakemake.output.rejected)
write_summary(
    snakemake.output.summary,
    "pft",
    pft_counts(accepted, rejected),
    {"pft_columns": p.pft_columns, **p.pft_checks, "key_fingerprint": p.key_fingerprint},
)
