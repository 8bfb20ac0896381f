"""Snakemake adapter: rules toy_train / xray_train -> best.pt, history.csv/png (vrgan.training)."""

from pathlib import Path

import numpy as np
import torch

from vrgan.artefacts import log_to
from vrgan.training import CleanPairBank, EvalPairs, ImageBank, TrainingSettings, TruthPairBank, train
from vrgan.training.history import plot_history

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
settings = TrainingSettings.from_dict(snakemake.params.settings)

data, pairs = np.load(snakemake.input.train), np.load(snakemake.input.val)
if settings.method != "supervised":
    bank = ImageBank(data["images"], data["y"], crop=snakemake.params.crop, threshold=settings.threshold)
elif hasattr(snakemake.input, "train_pairs"):  # x-ray demo: pairs of one subject's exams, true maps
    bank = TruthPairBank.from_arrays(np.load(snakemake.input.train_pairs), crop=snakemake.params.crop)
else:  # toy: the exact truth clean(y') - clean(y), from the noise-free training images
    bank = CleanPairBank(data["images"], data["clean"], data["y"])
val = EvalPairs(pairs["x"], pairs["y"], pairs["y_prime"], pairs[snakemake.params.val_target])

result = train(settings, bank, val, Path(snakemake.output.best).parent)
title = f"{settings.method} seed {settings.seed}: best epoch {result.best_epoch} (val NCC {result.best_val_ncc:.3f})"
plot_history(result.history, snakemake.output.plot, title=title)
