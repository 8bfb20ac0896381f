"""Snakemake adapter: rule counterfactual -> R_ind's scores of x' = x + Δx for every run and baseline (vrgan.counterfactual)."""

import logging

import numpy as np
import torch

from vrgan.artefacts import log_to, write_table
from vrgan.counterfactual import (
    counterfactual_entries,
    counterfactual_summary,
    counterfactual_table,
    load_independent_regressor,
    predict_labels,
)
from vrgan.evaluation import baseline_maps, check_finite_maps
from vrgan.training import load_generator, predict_maps
from vrgan.training.device import resolve_device, resolve_precision

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p, i, out = snakemake.params, snakemake.input, snakemake.output
device = resolve_device(p.device)
regressor = load_independent_regressor(i.regressor, device)

test, val = dict(np.load(i.test)), np.load(i.val)  # x-ray test pairs are in the evaluation crop
run_maps = {}
for (method, seed), checkpoint in zip(p.runs, i.checkpoints):
    generator, settings = load_generator(checkpoint, device)
    dtype = resolve_precision(settings.precision, device)
    run_maps[method, int(seed)] = predict_maps(
        generator, test["x"], test["y"], test["y_prime"], device, dtype, settings.eval_batch_size
    )
    check_finite_maps(run_maps[method, int(seed)], f"{method} seed {seed}")
baselines = baseline_maps(test["x"], val[p.val_target], ring=p.ring)
entries = counterfactual_entries(test, run_maps, baselines)
table = counterfactual_table(lambda images: predict_labels(regressor, images, device), entries)
write_table(table, out.table)
summary = counterfactual_summary(table)
write_table(summary, out.summary)
logging.info("counterfactual validity (R_ind):\n%s", summary.to_string(index=False))
