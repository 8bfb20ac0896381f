"""Snakemake adapter: preprocessed images + ground truths -> results/xray/data/*.npz for the trainer (vrgan.xray.datasets)."""

import pandas as pd

from vrgan.artefacts import log_to
from vrgan.xray import PAIR_FILES, PreprocessedImages, build_pair_set, build_training_set, load_maps, write_npz
from vrgan.xray.summary import dataset_counts, write_xray_summary

log_to(snakemake.log[0])
i, crop = snakemake.input, snakemake.params.crop
images = PreprocessedImages(i.preprocessed)
pairs, registration, maps = pd.read_parquet(i.pairs), pd.read_parquet(i.registration), load_maps(i.registration_maps)
truth = load_maps(i.truth_maps) if hasattr(i, "truth_maps") else None
train = build_training_set(pd.read_parquet(i.cohort), pd.read_csv(i.splits), images)
write_npz(snakemake.output.train, train)
pair_sets = {}
for split in PAIR_FILES:
    pair_sets[split] = build_pair_set(split, pairs, registration, maps, images, crop, truth)
    write_npz(getattr(snakemake.output, split), pair_sets[split])
counts = dataset_counts(train, pair_sets, images.size, truth is not None)
write_xray_summary(snakemake.output.summary, "xray_datasets", counts, {"crop": crop})
