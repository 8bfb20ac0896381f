"""Snakemake adapter: rule report -> results/report/summary.md and results.csv (vrgan.report)."""

import datetime
import os
from pathlib import Path

import pandas as pd

from vrgan.artefacts import PACKAGES, atomic_write, log_to, read_summary, versions, write_table
from vrgan.provenance import machine
from vrgan.report import STUDIES, comparison_table, render_summary

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
out = snakemake.output
READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".json": read_summary}


def load(path):
    """A table or stage summary, read; a figure, as its link from summary.md."""
    reader = READERS.get(Path(path).suffix)
    return reader(path) if reader else os.path.relpath(path, Path(out.summary).parent)


inputs = {name: load(path) for name, path in snakemake.input.items() if name != "code"}
write_table(comparison_table({name: inputs.get(name) for name in STUDIES}), out.table)
now = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
provenance = {**snakemake.params.provenance, "machine": machine(), "date": now, "versions": versions((*PACKAGES, "scipy", "pillow"))}
with atomic_write(out.summary) as tmp:
    tmp.write_text(render_summary(inputs, snakemake.params.config, provenance))
