"""Snakemake adapter: rule toy_data -> training images and validation/test pairs (vrgan.toy)."""

import json
import logging

import numpy as np

from vrgan.cohort.artefacts import log_to
from vrgan.toy import make_toy_dataset, make_toy_pairs

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
p = snakemake.params.data
seeds = p["seeds"]  # one seed per split: never evaluate on training images

train = make_toy_dataset(p["n_train"], p["size"], seeds["train"])
np.savez(snakemake.output.train, images=train.images, y=train.y)
counts = {"train_images": len(train.y)}
for split in ("val", "test"):
    data = make_toy_dataset(p[f"n_{split}"], p["size"], seeds[split])
    pairs = make_toy_pairs(data, seeds[f"{split}_pairs"], threshold=p["threshold"])
    np.savez(snakemake.output[split], **pairs._asdict())
    counts[f"{split}_images"], counts[f"{split}_pairs"] = len(data.y), len(pairs.y)
with open(snakemake.output.summary, "w") as f:
    json.dump({"stage": "toy_data", "counts": counts, "parameters": p}, f, indent=2)
logging.info("toy data: %s", counts)
