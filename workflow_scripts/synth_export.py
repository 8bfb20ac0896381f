"""Snakemake adapter: rule synth_export -> vrgan.demo.synth.write_export."""

import logging
import os
import sys
import tempfile
from pathlib import Path

from vrgan.demo.cli import configure_logging
from vrgan.demo.synth import write_export

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive

sys.stderr = open(snakemake.log[0], "w")  # logging and the tqdm bar go to the rule's log
configure_logging()
out = Path(snakemake.output.pft).parent
p = snakemake.params
# Written in a hidden staging folder, then renamed into place, truth/ last: the rules after this one
# take truth/ for a complete export, so a killed job never leaves one that looks complete.
with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".tmp-{out.name}-") as staging:
    summary = write_export(staging, p.subjects, p.seed, p.size, overwrite=True, progress=True)
    for name in ("dicom", "pft.csv", "transplants.csv", "truth"):
        os.replace(Path(staging) / name, out / name)
logging.getLogger("synth_export").info("files by status: %s", summary["files"]["by_status"])
