"""Snakemake adapter: rule xray_figures -> Fig. 4 (attribution) and Fig. 5 (severity) (vrgan.attribution)."""

import logging

import numpy as np

from vrgan.artefacts import log_to, save_figure
from vrgan.training import load_generator
from vrgan.training.device import resolve_device
from vrgan.attribution import draw_attribution_figure, draw_severity_figure

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
p, i = snakemake.params.figure, snakemake.input
device = resolve_device(snakemake.params.device)
pairs = dict(np.load(i.pairs))
vrgan, _ = load_generator(i.vrgan, device)
vagan = load_generator(i.vagan, device)[0] if hasattr(i, "vagan") else None

figure, shown = draw_attribution_figure(pairs, vrgan, vagan, p["y"], p["y_primes"], device)
save_figure(figure, snakemake.output.attribution, dpi=120)
logging.info("attribution figure: test pair %s", shown)
severity = p["severity"]
figure, shown = draw_severity_figure(pairs, vrgan, severity["increase"], severity["decrease"], device)
save_figure(figure, snakemake.output.severity, dpi=120)
logging.info("severity figure: %s", shown)
