"""Training throughput of VR-GAN and VA-GAN, and its ratio to the FLOP-count limit of the device.

For each method, one training iteration (VR-GAN: G forward, R step, G step; VA-GAN: its critic
steps and one generator step) is timed on random toy images, and its floating-point operations are
counted with torch's per-operator formulas (``torch.utils.flop_counter``; forward and backward,
convolutions and matmuls, the gradient penalty's double backward included). The
FLOP-count limit is the device's measured dense-matmul throughput (a large square matmul in the
same precision) divided by the FLOPs of one iteration: the iterations/s the device could reach if
every FLOP ran at matmul speed. The ratio measured / limit says how much of the hardware the
training loop uses.

    python benchmarks/train_throughput.py                 # 224 px, batch 20, paper U-Net (nf 64, depth 4)
    python benchmarks/train_throughput.py --size 64 --base-channels 16 --depth 4 --iterations 5

Prints a table and writes it as CSV (``--out``, default benchmarks/out/train_throughput.csv).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

from vrgan.toy import make_toy_dataset
from vrgan.training import GeneratorSettings, ImageBank, TrainingSettings, VAGANSettings, build_method
from vrgan.training.device import resolve_device, resolve_precision


def matmul_throughput(device: torch.device, dtype: torch.dtype | None, n: int = 4096, repeats: int = 5) -> float:
    """Measured dense matmul FLOP/s of ``device`` in ``dtype`` (fp32 when None)."""
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    if dtype is not None:
        a, b = a.to(dtype), b.to(dtype)
    a @ b  # warm-up
    _sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    _sync(device)
    return 2 * n**3 * repeats / (time.perf_counter() - start)


class FlopCounter(TorchDispatchMode):
    """Counts the FLOPs of every convolution / matmul (forward and backward) dispatched inside it.

    torch's own ``FlopCounterMode`` tracks modules with autograd hooks that do not support the
    double backward of VA-GAN's gradient penalty; this counter uses the same per-operator formulas
    (``torch.utils.flop_counter.flop_registry``) without module tracking.
    """

    def __init__(self) -> None:
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        count = flop_registry.get(func._overloadpacket)
        if count is not None:
            self.flops += count(*args, **kwargs, out_val=out)
        return out


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(method: str, args: argparse.Namespace, device: torch.device, dtype: torch.dtype | None) -> dict:
    settings = TrainingSettings(
        method=method,
        seed=0,
        batch_size=args.batch_size,
        generator=GeneratorSettings(args.base_channels, args.depth, 0.01),
        regressor_width=args.regressor_width,
        # the steady-state schedule: 5 critic steps per generator step
        vagan=VAGANSettings(boost_first_generator_steps=0, boost_every=10**9),
        device=str(device),
    )
    torch.manual_seed(0)
    data = make_toy_dataset(max(4 * args.batch_size, 64), args.size, 0)
    bank = ImageBank(data.images, data.y, device=device)
    model = build_method(settings, device, dtype)
    model.train(True)
    rng = np.random.default_rng(0)
    with FlopCounter() as counter:
        model.train_step(bank, rng)
    flops = counter.flops
    for _ in range(args.warmup):
        model.train_step(bank, rng)
    _sync(device)
    start = time.perf_counter()
    for _ in range(args.iterations):
        model.train_step(bank, rng)
    _sync(device)
    seconds = (time.perf_counter() - start) / args.iterations
    return {"method": method, "seconds_per_iteration": seconds, "iterations_per_s": 1 / seconds, "gflop_per_iteration": flops / 1e9}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--base-channels", type=int, default=64)
    parser.add_argument("--depth", type=int, default=4)
    parser.add_argument("--regressor-width", type=int, default=64, help="ResNet-18 first-stage width")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--precision", default="auto", choices=["auto", "bf16", "fp32"])
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--methods", nargs="+", default=["vrgan", "vagan"])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/train_throughput.csv"))
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    dtype = resolve_precision(args.precision, device)
    peak = matmul_throughput(device, dtype)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "cpu"
    rows = []
    for method in args.methods:
        row = measure(method, args, device, dtype)
        row["flop_limit_iterations_per_s"] = peak / (row["gflop_per_iteration"] * 1e9)
        row["fraction_of_limit"] = row["iterations_per_s"] / row["flop_limit_iterations_per_s"]
        rows.append(row)
    table = pd.DataFrame(rows)
    table.insert(0, "device", f"{device.type}:{name}")
    table.insert(1, "precision", "bf16" if dtype is not None else "fp32")
    table.insert(2, "threads", torch.get_num_threads())
    table["matmul_tflops"] = peak / 1e12
    table["size"], table["batch_size"], table["base_channels"], table["depth"] = (
        args.size, args.batch_size, args.base_channels, args.depth,
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
