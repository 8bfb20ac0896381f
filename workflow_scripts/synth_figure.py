"""Snakemake adapter: rule synth_figure -> vrgan.demo.synth.figure.figure_subjects."""

import sys
from pathlib import Path

from vrgan.artefacts import save_figure
from vrgan.demo.cli import configure_logging
from vrgan.demo.synth.figure import figure_subjects

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive

sys.stderr = open(snakemake.log[0], "w")
configure_logging()
figure = figure_subjects(Path(snakemake.input.truth).parent, snakemake.params.subjects, snakemake.params.visits)
save_figure(figure, snakemake.output.figure, dpi=100)
