"""Snakemake adapter (demo): pairs of exams of one training subject with the phantom's true Δx, for the supervised ceiling (vrgan.demo.train_pairs)."""

import pandas as pd

from vrgan.artefacts import log_to
from vrgan.cohort import ImageCache
from vrgan.cohort.privacy import pseudonymizer_from_settings
from vrgan.demo import build_training_pair_truth, training_pairs
from vrgan.demo.synth import load_truth
from vrgan.xray import PreprocessedImages, write_npz
from vrgan.xray.summary import write_xray_summary

log_to(snakemake.log[0])
p, i, out = snakemake.params, snakemake.input, snakemake.output
images = PreprocessedImages(i.preprocessed)
pairs = training_pairs(pd.read_parquet(i.cohort), pd.read_csv(i.splits), images)
pseudo = pseudonymizer_from_settings(p.privacy)
table, data = build_training_pair_truth(pairs, load_truth(i.truth), pseudo, ImageCache(i.images), images, p.resize)
write_npz(out.pairs, data)
counts = {"pairs": len(data["y"]), "subjects": len(set(data["patient_key"])), "status": table["status"].value_counts().to_dict()}
counts["x_reproduced"] = int(table["x_reproduced"].eq(True).sum())
write_xray_summary(out.summary, "xray_train_pairs", counts, {"resize": p.resize, "key_fingerprint": p.key_fingerprint})
