"""Snakemake adapter: rule xray_progression -> GIF of one test pair's x' as y' sweeps (vrgan.attribution)."""

import logging

import numpy as np
import torch

from vrgan.artefacts import PACKAGES, log_to, save_gif, write_summary
from vrgan.attribution import draw_progression
from vrgan.training import load_generator
from vrgan.training.device import resolve_device

snakemake = globals()["snakemake"]  # injected by Snakemake's script directive
log_to(snakemake.log[0])
p = snakemake.params.progression
device = resolve_device(snakemake.params.device)
generator, _ = load_generator(snakemake.input.vrgan, device)
y_primes = np.linspace(p["y_prime_start"], p["y_prime_end"], p["frames"])
frames, pair_id = draw_progression(dict(np.load(snakemake.input.pairs)), generator, snakemake.params.y, y_primes, device)
save_gif(frames, snakemake.output.gif, p["fps"])
logging.info("progression of test pair %s: %d frames", pair_id, len(frames))
counts = {"pair_id": pair_id, "frames": len(frames), "y_primes": [round(float(v), 4) for v in y_primes]}
counts["device"] = f"{device} ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else str(device)
write_summary(snakemake.output.summary, "xray_progression", counts, dict(p), (*PACKAGES, "torch", "torchvision"))
