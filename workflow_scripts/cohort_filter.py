"""Snakemake adapter: matches -> cohort.parquet (PA, no lung transplant, y = FEV1/FVC, COPD)."""

import logging

import pandas as pd

from vrgan.artefacts import log_to, write_summary, write_table
from vrgan.cohort import build_cohort, read_transplant_patients, select_pa_exams
from vrgan.cohort.privacy import pseudonymizer_from_settings

log_to(snakemake.log[0])
p = snakemake.params
pseudo = pseudonymizer_from_settings(p.privacy)
transplants_csv = p.transplants_csv or None
transplant = {pseudo.patient(i) for i in read_transplant_patients(transplants_csv, p.transplant_columns["patient_id"])}
logging.info("transplant patients listed: %d", len(transplant))
exams, _, _ = select_pa_exams(pd.read_parquet(snakemake.input.ingest))
matches = pd.read_parquet(snakemake.input.matches)
cohort, excluded = build_cohort(matches, exams, pd.read_parquet(snakemake.input.pft), transplant, p.copd_threshold)
write_table(cohort, snakemake.output.table)
counts = {
    "matched_exams": len(matches),
    "transplant_exams_excluded": len(excluded),
    "transplant_patients_excluded": int(excluded["patient_key"].nunique()),
    "exams": len(cohort),
    "subjects": int(cohort["patient_key"].nunique()),
    "copd_exams": int(cohort["copd"].sum()),
}
write_summary(
    snakemake.output.summary,
    "filter",
    counts,
    {"copd_threshold": p.copd_threshold, "transplant_listed": len(transplant)},
)
