"""Snakemake adapter: rule toy_figure -> paper Fig. 2 style figure (vrgan.figures)."""

import numpy as np

from vrgan.artefacts import log_to, save_figure
from vrgan.figures import attribution_figure
from vrgan.toy import render_squares
from vrgan.training import load_generator, predict_maps
from vrgan.training.device import resolve_device

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
p = snakemake.params.figure
device = resolve_device(snakemake.params.device)
pairs = np.load(snakemake.input.pairs)
i = int(np.argmin(np.abs(pairs["y"] - p["y"])))  # the test image closest to the requested y
y_primes = np.asarray(p["y_primes"], dtype=np.float32)
x = np.repeat(pairs["x"][i][None], len(y_primes), axis=0)
y = np.full_like(y_primes, pairs["y"][i])
size = x.shape[-1]

vrgan, _ = load_generator(snakemake.input.vrgan, device)
vagan, _ = load_generator(snakemake.input.vagan, device)
maps = predict_maps(vrgan, x, y, y_primes, device)
vagan_map = predict_maps(vagan, x[:1], y[:1], y_primes[:1], device)[0]
targets = render_squares(y_primes, size) - render_squares(y, size)
fig = attribution_figure(x[0], float(y[0]), y_primes, maps, vagan_map, targets)
save_figure(fig, snakemake.output[0], dpi=120)
