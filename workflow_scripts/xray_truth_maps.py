"""Snakemake adapter (demo): the phantom's true Δx of every pair + its NCC with the registration ground truth (vrgan.xray)."""

import pandas as pd

from vrgan.artefacts import log_to, write_table
from vrgan.cohort import ImageCache
from vrgan.cohort.privacy import pseudonymizer_from_settings
from vrgan.demo import compare_ground_truths, render_truth_maps, summarize_agreement
from vrgan.demo.synth import load_truth
from vrgan.xray import PreprocessedImages, load_maps, save_maps
from vrgan.xray.summary import write_xray_summary

log_to(snakemake.log[0])
p, i, out = snakemake.params, snakemake.input, snakemake.output
images, pairs = PreprocessedImages(i.preprocessed), pd.read_parquet(i.pairs)
pseudo = pseudonymizer_from_settings(p.privacy)
table, maps = render_truth_maps(pairs, load_truth(i.truth), pseudo, ImageCache(i.images), images, p.resize)
save_maps(out.maps, **maps)
write_table(table, out.table)
compared = compare_ground_truths(pd.read_parquet(i.registration), load_maps(i.registration_maps), maps, images, p.crop)
write_table(compared, out.comparison)
counts = {"pairs": len(table), "status": table["status"].value_counts().to_dict()}
counts |= {"x_reproduced": int(table["x_reproduced"].eq(True).sum()), **summarize_agreement(compared)}
parameters = {"resize": p.resize, "crop": p.crop, "key_fingerprint": p.key_fingerprint}
write_xray_summary(out.summary, "xray_truth_maps", counts, parameters)
