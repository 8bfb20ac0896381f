"""X-ray demo recipe measurements: one training run per (setting, seed), scored like the study.

Trains a method on a finished run's x-ray datasets (``results/xray/data/`` of the demo export:
``train.npz``, ``val_pairs.npz``, ``test_pairs.npz``, and ``train_pairs_truth.npz`` for the
supervised ceiling) with the ``xray`` section of a config (default ``config.yaml``) and optional
overrides of it, evaluates ``best.pt`` on the test pairs and prints one JSON line per run: test
NCC against the phantom's true Δx and against the registration ground truth, the input-specific
NCC (NCC of Δx - m with GT - m, m the mean validation ground truth), the mean validation maps'
own NCC (the floors), the best epoch and the wall time. ``--val-target target_truth`` chooses the
checkpoint by the phantom's truth instead of registration (a diagnostic: how much the
registration target's noise costs; the study itself never sees the truth). ``--trace`` also scores
every epoch's generator on the test pairs (both ground truths) and on the validation pairs'
truth, so that one run shows what each checkpoint choice (best by registration, last, best by
truth) would have given.

    snakemake --cores 2 results/xray/data/datasets.json results/xray/data/train_pairs_truth.npz
    PYTHONPATH=. python benchmarks/xray_recipe.py --data results/xray/data --seeds 0 1 \\
        --set vrgan.lambda_reg=0.1 --out benchmarks/out/xray_recipe.jsonl
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
import yaml

from benchmarks.recipe import apply_overrides, emit, run_fields, train_and_predict
import vrgan.training.loop as loop_module
from vrgan.metrics import ncc
from vrgan.training import EvalPairs, ImageBank, TruthPairBank, settings_from_config


def mean_ncc(maps: np.ndarray, target: np.ndarray) -> float:
    return round(float(np.nanmean(ncc(np.broadcast_to(maps, target.shape), target))), 4)


def scores(maps: np.ndarray, target: np.ndarray, mean_val: np.ndarray, study_floor: np.ndarray) -> dict[str, float]:
    """Mean NCC and input-specific NCC of maps against one ground truth (around ``mean_val``, the
    mean validation map of that ground truth), and beside them two floors: ``mean_val`` itself and
    ``study_floor``, the study's mean validation map (of the registration target, the one a user
    of a real export can build)."""
    return {
        "ncc": mean_ncc(maps, target),
        "specific": mean_ncc(maps - mean_val, target - mean_val),
        "floor_same_truth": mean_ncc(mean_val, target),
        "floor_study": mean_ncc(study_floor, target),
    }


class Trace:
    """Wraps ``loop.validation_ncc``: each call (one per epoch) also scores the epoch's
    generator on extra pairs, recorded per name."""

    def __init__(self, extra: dict[str, EvalPairs]) -> None:
        self.original = loop_module.validation_ncc
        self.extra = extra
        self.curves: dict[str, list[float]] = {name: [] for name in extra}

    def __call__(self, method, pairs: EvalPairs) -> float:
        for name, other in self.extra.items():
            self.curves[name].append(round(self.original(method, other), 4))
        return self.original(method, pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--data", type=Path, default=Path("results/xray/data"))
    parser.add_argument("--method", default="vrgan")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override in xray:")
    parser.add_argument("--val-target", default="target_registration", choices=["target_registration", "target_truth"])
    parser.add_argument("--trace", action="store_true", help="score every epoch on the test pairs too")
    parser.add_argument("--label", default="")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    config = yaml.safe_load(Path(args.config).read_text())
    xray = config["xray"]
    apply_overrides(xray, args.set)
    crop = xray["preprocess"]["crop"]
    data = np.load(args.data / "train.npz")
    val_arrays, test = np.load(args.data / "val_pairs.npz"), np.load(args.data / "test_pairs.npz")
    mean_truth = val_arrays["target_truth"].mean(axis=0)
    mean_registration = val_arrays["target_registration"].mean(axis=0)
    val = EvalPairs(val_arrays["x"], val_arrays["y"], val_arrays["y_prime"], val_arrays[args.val_target])

    for seed in args.seeds:
        settings = settings_from_config(
            xray["training"],
            xray["models"],
            xray["vrgan"],
            xray["vagan"],
            args.method,
            seed,
            config["cohort"]["copd_threshold"],
        )
        if args.method == "supervised":
            bank = TruthPairBank.from_arrays(np.load(args.data / "train_pairs_truth.npz"), crop=crop)
        else:
            bank = ImageBank(data["images"], data["y"], crop=crop, threshold=settings.threshold)
        trace = None
        if args.trace:
            trace = Trace(
                {
                    f"test_{name}_by_epoch": EvalPairs(test["x"], test["y"], test["y_prime"], test[f"target_{name}"])
                    for name in ("truth", "registration")
                }
                | {"val_truth_by_epoch": EvalPairs(val.x, val.y, val.y_prime, val_arrays["target_truth"])}
            )
            loop_module.validation_ncc = trace
        result, maps, seconds = train_and_predict(settings, bank, val, test["x"], test["y"], test["y_prime"])
        row = {
            "label": args.label,
            "overrides": args.set,
            "method": args.method,
            "seed": seed,
            "val_target": args.val_target,
            "truth": scores(maps, test["target_truth"], mean_truth, mean_registration),
            "registration": scores(maps, test["target_registration"], mean_registration, mean_registration),
            **run_fields(result, seconds),
            **(trace.curves if trace else {}),
        }
        if trace:
            loop_module.validation_ncc = trace.original
        emit(row, args.out)


if __name__ == "__main__":
    main()
