"""Snakemake adapter: rule synth_export -> vrgan.synth.write_export."""

import logging
import sys
from pathlib import Path

from vrgan.cli import configure_logging
from vrgan.synth import write_export

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive

sys.stderr = open(snakemake.log[0], "w")  # logging and the tqdm bar go to the rule's log
configure_logging()
out = Path(snakemake.output.pft).parent
summary = write_export(
    out, snakemake.params.subjects, snakemake.params.seed, snakemake.params.size, overwrite=True, progress=True
)
logging.getLogger("synth_export").info("files by status: %s", summary["files"]["by_status"])
