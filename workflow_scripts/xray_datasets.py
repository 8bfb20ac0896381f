"""Snakemake adapter: preprocessed images + ground truths -> results/xray/data/*.npz for the trainer (vrgan.xray.datasets)."""

import pandas as pd

from vrgan.artefacts import log_to
from vrgan.xray import PAIR_FILES, PreprocessedImages, build_pair_set, build_training_set, load_maps, write_npz
from vrgan.xray.summary import write_xray_summary

log_to(snakemake.log[0])
i, crop = snakemake.input, snakemake.params.crop
images = PreprocessedImages(i.preprocessed)
pairs, registration, maps = pd.read_parquet(i.pairs), pd.read_parquet(i.registration), load_maps(i.registration_maps)
truth = load_maps(i.truth_maps) if hasattr(i, "truth_maps") else None
train = build_training_set(pd.read_parquet(i.cohort), pd.read_csv(i.splits), images)
write_npz(snakemake.output.train, train)
counts = {"train_images": len(train["y"]), "train_copd": int(train["copd"].sum()), "image_size": images.size}
for split, name in PAIR_FILES.items():
    data = build_pair_set(split, pairs, registration, maps, images, crop, truth)
    write_npz(getattr(snakemake.output, split), data)
    counts[f"{split}_pairs"] = len(data["y"])
    counts[f"{split}_by_status"] = pd.Series(data["registration_status"]).value_counts().to_dict()
counts["with_truth"] = truth is not None
write_xray_summary(snakemake.output.summary, "xray_datasets", counts, {"crop": crop})
