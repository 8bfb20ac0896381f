"""Snakemake adapter: rule toy_paper_floor -> the toy's trivial baselines at the paper's scale (vrgan.floor)."""

import logging

from vrgan.artefacts import log_to, write_summary, write_table
from vrgan.floor import toy_floor

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
p = snakemake.params
table, counts = toy_floor(p.floor["size"], p.floor["n_val"], p.floor["n_test"], p.seeds, p.threshold)
table.insert(1, "size", p.floor["size"])
write_table(table, snakemake.output.table)
write_summary(snakemake.output.summary, "toy_paper_floor", counts, {**p.floor, "seeds": p.seeds, "threshold": p.threshold})
logging.info("toy floor at %d px: %s\n%s", p.floor["size"], counts, table.to_string(index=False))
