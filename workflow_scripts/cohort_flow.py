"""Snakemake adapter: every cohort table -> flow.csv + flow.png (vrgan.cohort.flow)."""

import pandas as pd

from vrgan.artefacts import log_to, read_summary, write_summary, write_table
from vrgan.cohort import build_flow, draw_flow

log_to(snakemake.log[0])
i = snakemake.input
filter_counts = read_summary(i.cohort_summary)["counts"]
flow = build_flow(
    pd.read_parquet(i.ingest),
    pd.read_parquet(i.pft),
    pd.read_csv(i.pft_rejected),
    pd.read_csv(i.extra_images),
    pd.read_csv(i.unmatched),
    pd.read_parquet(i.matches),
    filter_counts["transplant_exams_excluded"],
    pd.read_parquet(i.cohort),
    pd.read_csv(i.splits),
    pd.read_parquet(i.pairs),
    {k: v for k, v in filter_counts.items() if k.startswith("transplant_ids_")},
)
write_table(flow, snakemake.output.table)
draw_flow(flow, snakemake.output.figure)
counts = {f"{r.box}": int(r.n) for r in flow[flow["kind"] == "count"].itertuples()}
write_summary(snakemake.output.summary, "flow", counts, {})
