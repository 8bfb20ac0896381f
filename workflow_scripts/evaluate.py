"""Snakemake adapter: rules toy_evaluate / xray_evaluate -> per-pair test NCC (vrgan.evaluation)."""

import logging

import numpy as np
import torch

from vrgan.artefacts import log_to, write_table
from vrgan.evaluation import check_finite_maps, score_pairs
from vrgan.training import load_generator, predict_maps
from vrgan.training.device import resolve_device, resolve_precision

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
device = resolve_device(snakemake.params.device)
generator, settings = load_generator(snakemake.input.checkpoint, device)

pairs, val = np.load(snakemake.input.pairs), np.load(snakemake.input.val)
maps = predict_maps(generator, pairs["x"], pairs["y"], pairs["y_prime"], device,
                    resolve_precision(settings.precision, device), settings.eval_batch_size)
check_finite_maps(maps, f"{settings.method} seed {settings.seed}")
columns = snakemake.params.get("columns", ["y", "y_prime"])  # per-pair arrays of the npz to copy
table = score_pairs(maps, pairs, val, columns)  # val: the mean ground truths of the input-specific NCC
write_table(table, snakemake.output[0])
logging.info("%s seed %d: mean test NCC %s", settings.method, settings.seed,
             table.filter(like="ncc_").mean().round(4).to_dict())
