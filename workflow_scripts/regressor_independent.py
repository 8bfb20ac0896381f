"""Snakemake adapter: rule regressor_independent -> R_ind trained on the real training images (vrgan.counterfactual)."""

import logging
from dataclasses import asdict

import numpy as np
import torch

from vrgan.artefacts import log_to, write_summary, write_table
from vrgan.counterfactual import (
    CounterfactualSettings,
    counterfactual_entries,
    counterfactual_table,
    predict_labels,
    save_independent_regressor,
    train_independent_regressor,
)
from vrgan.training import ImageBank
from vrgan.training.device import resolve_device

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p, out = snakemake.params, snakemake.output
settings = CounterfactualSettings.from_config(p.counterfactual, p.regressor)
device = resolve_device(p.device)

data, test = np.load(snakemake.input.train), dict(np.load(snakemake.input.test))
regressor, history = train_independent_regressor(ImageBank(data["images"], data["y"], crop=p.crop), settings, device)
save_independent_regressor(regressor, settings, out.regressor)
write_table(history, out.history)
real = counterfactual_table(lambda images: predict_labels(regressor, images, device), counterfactual_entries(test, {}, {})[:1])
counts = {"train_images": int(len(data["y"])), "seconds": float(history["seconds"].iloc[-1])}
counts |= {f"test_real_{key}": real[key].iloc[0].item() for key in ("mae", "corr", "n_pairs")}
write_summary(out.summary, "regressor_independent", counts, asdict(settings) | {"crop": p.crop, "device": str(device)})
logging.info("R_ind: %s", counts)
