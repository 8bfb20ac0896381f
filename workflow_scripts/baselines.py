"""Snakemake adapter: rules toy_baselines / xray_baselines -> per-pair NCC of trivial maps."""

import logging

import numpy as np
import pandas as pd

from vrgan.artefacts import log_to, write_table
from vrgan.evaluation import baseline_maps, score_pairs

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
val, test = np.load(snakemake.input.val), np.load(snakemake.input.test)
p = snakemake.params
# Constant maps are fitted on one validation target (default the first; never on the test set).
val_target = p.get("val_target", next(key for key in val.files if key.startswith("target")))
tables = []
for name, maps in baseline_maps(test["x"], val[val_target], ring=p.ring).items():
    table = score_pairs(maps, test, val, p.get("columns", []))
    table.insert(0, "method", name)
    tables.append(table)
result = pd.concat(tables, ignore_index=True)
write_table(result, snakemake.output[0])
logging.info("baselines, mean test NCC:\n%s", result.groupby("method").mean(numeric_only=True).round(4))
