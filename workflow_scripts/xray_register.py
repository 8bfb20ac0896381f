"""Snakemake adapter: pairs.parquet + preprocessed images -> registration.parquet + maps (vrgan.xray, vrgan.registration)."""

import pandas as pd

from vrgan.artefacts import log_to, write_table
from vrgan.registration import RegistrationThresholds
from vrgan.xray import PreprocessedImages, register_cohort_pairs, save_maps
from vrgan.xray.summary import write_xray_summary

log_to(snakemake.log[0])
thresholds = RegistrationThresholds(**snakemake.params.registration)
pairs = pd.read_parquet(snakemake.input.pairs)
images = PreprocessedImages(snakemake.input.preprocessed)
table, maps = register_cohort_pairs(pairs, images, thresholds, snakemake.threads)
write_table(table, snakemake.output.table)
save_maps(snakemake.output.maps, **maps)
by_split = table.groupby("split")
counts = {"pairs": len(table), "status": by_split["status"].value_counts().unstack(fill_value=0).to_dict("index")}
counts["mean"] = by_split[["ncc_before", "ncc_after", "valid_fraction"]].mean().to_dict("index")
counts["flag_reasons"] = table["reason"].str.split(" ").str[0].replace("", None).value_counts().to_dict()
write_xray_summary(
    snakemake.output.summary, "xray_register", counts, {**snakemake.params.registration, "threads": snakemake.threads}
)
