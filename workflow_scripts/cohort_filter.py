"""Snakemake adapter: matches -> cohort.parquet (PA, no lung transplant, y = FEV1/FVC, COPD)."""

import logging

import pandas as pd

from vrgan.artefacts import log_to, write_summary, write_table
from vrgan.cohort import build_cohort, read_transplant_patients, select_pa_exams
from vrgan.cohort.counts import filter_counts
from vrgan.cohort.privacy import pseudonymizer_from_settings
from vrgan.cohort.transplants import check_unmatched_transplants, match_transplant_ids

log_to(snakemake.log[0])
p = snakemake.params
pseudo = pseudonymizer_from_settings(p.privacy)
ingest = pd.read_parquet(snakemake.input.ingest)
listed = read_transplant_patients(p.transplants_csv or None, p.transplant_columns["patient_id"])
found = match_transplant_ids(listed, set(ingest["patient_key"].dropna()), pseudo)
logging.info("transplant list: %s", found.counts())
check_unmatched_transplants(found, p.max_unmatched_transplant_fraction)
transplant = found.patient_keys
exams, _, _ = select_pa_exams(ingest)
matches = pd.read_parquet(snakemake.input.matches)
cohort, excluded = build_cohort(matches, exams, pd.read_parquet(snakemake.input.pft), transplant, p.copd_threshold)
write_table(cohort, snakemake.output.table)
parameters = {
    "copd_threshold": p.copd_threshold,
    "max_unmatched_transplant_fraction": p.max_unmatched_transplant_fraction,
}
write_summary(snakemake.output.summary, "filter", filter_counts(matches, excluded, cohort, found.counts()), parameters)
