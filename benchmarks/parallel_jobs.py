"""Two training jobs of one thread at once, or one job of two threads at a time?

Snakemake runs ``--cores N`` worth of jobs at once: training rules that ask for 2 threads run one
at a time on 2 cores, rules that ask for 1 run two at a time. This measures which gives more
training iterations per second of wall time on this machine, for the demo's VR-GAN toy step
(settings of ``config.yaml``'s ``toy:`` section): rounds of (a) one process with ``--threads``
threads alone, then (b) ``--jobs`` processes of one thread each started together; each process
times ``--iterations`` steps after ``--warmup``. Prints seconds per iteration of each process
and the throughput ratio (b) / (a). Run it with nothing else on the machine.

    python benchmarks/parallel_jobs.py --rounds 2 --iterations 40
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def worker(threads: int, iterations: int, warmup: int, method: str) -> None:
    """Time ``iterations`` training steps of ``method`` on the demo toy settings; print JSON."""
    import numpy as np
    import torch
    import yaml

    from vrgan.toy import make_toy_dataset
    from vrgan.training import ImageBank, build_method, settings_from_config
    from vrgan.training.device import resolve_precision

    torch.set_num_threads(threads)
    toy = yaml.safe_load((ROOT / "config.yaml").read_text())["toy"]
    settings = settings_from_config(
        toy["training"], toy["models"], toy["vrgan"], toy["vagan"], method, 0, toy["data"]["threshold"]
    )
    data = make_toy_dataset(400, toy["data"]["size"], 1)
    bank = ImageBank(data.images, data.y, threshold=settings.threshold)
    device = torch.device("cpu")
    built = build_method(settings, device, resolve_precision(settings.precision, device))  # as the demo trains
    built.train(True)
    rng = np.random.default_rng(0)
    for _ in range(warmup):
        built.train_step(bank, rng)
    start = time.perf_counter()
    for _ in range(iterations):
        built.train_step(bank, rng)
    print(json.dumps({"threads": threads, "seconds_per_iteration": (time.perf_counter() - start) / iterations}))


def launch(threads: int, args: argparse.Namespace) -> subprocess.Popen:
    command = [sys.executable, __file__, "--worker", "--threads", str(threads), "--iterations", str(args.iterations),
               "--warmup", str(args.warmup), "--method", args.method]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)


def result(process: subprocess.Popen) -> float:
    out, _ = process.communicate()
    if process.returncode != 0:
        sys.exit(f"worker failed with {process.returncode}")
    return json.loads(out.strip().splitlines()[-1])["seconds_per_iteration"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2, help="threads of the lone job (a)")
    parser.add_argument("--jobs", type=int, default=2, help="one-thread jobs started together (b)")
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--method", default="vrgan", choices=["vrgan", "vagan", "supervised"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.threads, args.iterations, args.warmup, args.method)
        return
    ratios = []
    for round_ in range(args.rounds):
        alone = result(launch(args.threads, args))
        together = [result(p) for p in [launch(1, args) for _ in range(args.jobs)]]
        # iterations per second of wall time: one job alone vs the jobs together
        ratio = sum(1 / s for s in together) / (1 / alone)
        ratios.append(ratio)
        print(f"round {round_}: {args.threads} threads alone {alone:.3f} s/it; {args.jobs} x 1 thread together "
              f"{', '.join(f'{s:.3f}' for s in together)} s/it; throughput ratio {ratio:.2f}", flush=True)  # fmt: skip
    print(f"throughput of {args.jobs} one-thread jobs / one {args.threads}-thread job: "
          f"{', '.join(f'{r:.2f}' for r in ratios)}")  # fmt: skip


if __name__ == "__main__":
    main()
