"""Registration speed: pairs/s of ``register_pairs`` (affine + valid region + difference + NCC) at 256 px.

Usage (from the repository root): PYTHONPATH=. python benchmarks/registration.py \
    [--cohort results/cohort] [--size 256] [--pairs 40] [--threads 1 2] [--repeat 3]

The pairs are the first --pairs validation/test pairs of the cohort (preprocessed at --size
with ``preprocess_image``, not timed); without a cohort, smooth random images and a random
affine. Each figure is the best of --repeat runs and includes the worker start-up of the
process pool (what the rule pays). Not run by CI.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

from timing import best_time

from vrgan.preprocessing import preprocess_image
from vrgan.registration import register_affine, register_pairs


def cohort_pairs(cohort: Path, size: int, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    from vrgan.cohort import ImageCache

    pairs = pd.read_parquet(cohort / "pairs.parquet").head(n)
    cache = ImageCache(cohort / "images")
    refs = [preprocess_image(cache.load(k), size)[0] for k in pairs["x_image_key"]]
    movs = [preprocess_image(cache.load(k), size)[0] for k in pairs["x_prime_image_key"]]
    return refs, movs


def synthetic_pairs(size: int, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    refs, movs = [], []
    for _ in range(n):
        image = ndi.gaussian_filter(rng.normal(size=(size, size)), size / 40)
        matrix = np.eye(2) + rng.normal(0, 0.03, (2, 2))
        refs.append(image)
        movs.append(ndi.affine_transform(image, matrix, offset=rng.normal(0, 3, 2), order=1, mode="nearest"))
    return refs, movs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohort", type=Path, default=Path("results/cohort"))
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if (args.cohort / "pairs.parquet").is_file():
        refs, movs = cohort_pairs(args.cohort, args.size, args.pairs)
        source = f"cohort pairs of {args.cohort}"
    else:
        refs, movs = synthetic_pairs(args.size, args.pairs)
        source = "synthetic pairs"
    n = len(refs)
    print(f"{n} {source} at {args.size} px")
    alone = best_time(lambda: [register_affine(r, m) for r, m in zip(refs, movs)], args.repeat)
    print(f"register_affine alone, 1 process: {n / alone:.1f} pairs/s ({1000 * alone / n:.1f} ms/pair)")
    print(f"{'threads':>7} {'register_pairs pairs/s':>23}")
    for threads in args.threads:
        elapsed = best_time(lambda: register_pairs(refs, movs, threads=threads), args.repeat)
        print(f"{threads:>7} {n / elapsed:>23.1f}")


if __name__ == "__main__":
    main()
