"""Toy-study recipe measurements: one training run per (setting, seed), scored like the study.

Trains a method on the toy data of a config (default ``config.yaml``), with optional overrides of
the ``toy`` section, evaluates its ``best.pt`` on the test pairs and prints one JSON line per run:
test NCC, the input-specific NCC (NCC of Δx - m with GT - m, m the mean validation ground truth),
the mean validation map's own NCC (the floor), the best epoch and the wall time. This is how the
demo's toy settings were chosen; it is a measurement, not a test.

    PYTHONPATH=. python benchmarks/toy_recipe.py --seeds 0 1 \\
        --set training.generator_ema=0.99 --set training.max_epochs=12 --out benchmarks/out/toy_recipe.jsonl
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
import yaml

from benchmarks.recipe import apply_overrides, emit, run_fields, train_and_predict
from vrgan.metrics import ncc
from vrgan.toy import make_toy_dataset, make_toy_pairs
from vrgan.training import EvalPairs, ImageBank, settings_from_config


def toy_pairs(data: dict, split: str) -> EvalPairs:
    images = make_toy_dataset(data[f"n_{split}"], data["size"], data["seeds"][split])
    pairs = make_toy_pairs(images, data["seeds"][f"{split}_pairs"], threshold=data["threshold"])
    return EvalPairs(pairs.x, pairs.y, pairs.y_prime, pairs.target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--method", default="vrgan")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override in toy:")
    parser.add_argument("--label", default="")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    toy = yaml.safe_load(Path(args.config).read_text())["toy"]
    apply_overrides(toy, args.set)
    data = toy["data"]
    train_set = make_toy_dataset(data["n_train"], data["size"], data["seeds"]["train"])
    val, test = toy_pairs(data, "val"), toy_pairs(data, "test")
    m = val.target.mean(axis=0)
    floor = float(np.nanmean(ncc(np.broadcast_to(m, test.target.shape), test.target)))

    for seed in args.seeds:
        settings = settings_from_config(
            toy["training"], toy["models"], toy["vrgan"], toy["vagan"], args.method, seed, toy["data"]["threshold"]
        )
        bank = ImageBank(train_set.images, train_set.y, threshold=settings.threshold)
        result, maps, seconds = train_and_predict(settings, bank, val, test.x, test.y, test.y_prime)
        row = {
            "label": args.label,
            "overrides": args.set,
            "method": args.method,
            "seed": seed,
            "test_ncc": round(float(np.nanmean(ncc(maps, test.target))), 4),
            "input_specific_ncc": round(float(np.nanmean(ncc(maps - m, test.target - m))), 4),
            "floor_mean_validation_map": round(floor, 4),
            **run_fields(result, seconds),
        }
        emit(row, args.out)


if __name__ == "__main__":
    main()
