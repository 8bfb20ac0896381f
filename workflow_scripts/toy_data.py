"""Snakemake adapter: rule toy_data -> training images and validation/test pairs (vrgan.toy)."""

import logging

import numpy as np

from vrgan.artefacts import atomic_write, log_to, write_summary
from vrgan.toy import make_toy_dataset, make_toy_pairs

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
p = snakemake.params.data
seeds = p["seeds"]  # one seed per split: never evaluate on training images

train = make_toy_dataset(p["n_train"], p["size"], seeds["train"])
with atomic_write(snakemake.output.train) as tmp:
    np.savez(tmp, images=train.images, clean=train.clean, y=train.y)  # clean: the supervised ceiling's truth
counts = {"train_images": len(train.y)}
for split in ("val", "test"):
    data = make_toy_dataset(p[f"n_{split}"], p["size"], seeds[split])
    pairs = make_toy_pairs(data, seeds[f"{split}_pairs"], threshold=p["threshold"])
    with atomic_write(snakemake.output[split]) as tmp:
        np.savez(tmp, **pairs._asdict())
    counts[f"{split}_images"], counts[f"{split}_pairs"] = len(data.y), len(pairs.y)
write_summary(snakemake.output.summary, "toy_data", counts, p)
logging.info("toy data: %s", counts)
