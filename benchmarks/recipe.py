"""What the recipe benchmarks (toy_recipe.py, xray_recipe.py) share: config overrides and the
JSON lines they print and append."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import yaml

from vrgan.training import load_generator, predict_maps, train
from vrgan.training.device import resolve_precision


def set_key(section: dict, dotted: str, value: str) -> None:
    """``section[a][b] = yaml(value)`` for ``dotted = "a.b"``."""
    *path, last = dotted.split(".")
    for key in path:
        section = section.setdefault(key, {})
    section[last] = yaml.safe_load(value)


def apply_overrides(section: dict, overrides: list[str]) -> None:
    """Apply ``KEY=VALUE`` overrides (dotted keys, YAML values) to a config section."""
    for item in overrides:
        key, value = item.split("=", 1)
        set_key(section, key, value)


def emit(row: dict, out: Path | None) -> None:
    """Print one JSON line and append it to ``out`` when given."""
    print(json.dumps(row), flush=True)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a") as handle:
            handle.write(json.dumps(row) + "\n")


def run_fields(result, seconds: float) -> dict:
    """The training run's part of a row: best epoch, its validation NCC, the curve, the time."""
    return {
        "best_epoch": result.best_epoch,
        "best_val_ncc": round(result.best_val_ncc, 4),
        "val_ncc_by_epoch": [round(v, 3) for v in result.history["val_ncc"]],
        "seconds": round(seconds, 1),
    }


def train_and_predict(settings, bank, val, test_x, test_y, test_y_prime):
    """Train one run in a temporary folder, then its best checkpoint's maps of the test pairs on
    the CPU. Returns ``(result, maps, seconds of training)``."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = train(settings, bank, val, folder, progress=False)
        seconds = time.perf_counter() - start
        generator, _ = load_generator(Path(folder) / "best.pt")
    cpu = torch.device("cpu")
    precision = resolve_precision(settings.precision, cpu)
    maps: np.ndarray = predict_maps(generator, test_x, test_y, test_y_prime, cpu, precision, 200)
    return result, maps, seconds
