"""Does a finished run show the claim? Issue 9's criteria 1-2, read from the run's own tables.

Reads ``<results>/toy/summary.csv``, ``<results>/toy/train/vagan/seed*/history.csv``,
``<results>/xray/summary.csv`` (registration ground truth) and ``<results>/xray/summary_truth.csv``
(the phantom's true Δx; demo export only) and prints one line per criterion with the numbers it
compares, then a JSON line of the same (``--out`` appends it to a file). A measurement, not a
test: the exit status is 0 unless ``--strict`` is given and a criterion fails.

    python benchmarks/demo_criteria.py results --label "fresh clone of abc123" --out benchmarks/out/demo_criteria.jsonl

Criteria (means over the run's training seeds, test pairs, whole-image NCC):

1. toy: VR-GAN >= the mean validation map + 0.05; VR-GAN's std over seeds <= 0.03; VA-GAN above
   Δx = −x; VA-GAN's validation curve levels off inside its budget (every seed: its best validation
   NCC over the last ``--plateau-epochs`` epochs beats the best before them by at most
   ``--plateau-gain``).
2. x-ray: VR-GAN above the mean validation map against the true Δx, and above VA-GAN against both
   ground truths.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd


def _means(path: Path) -> dict[str, tuple[float, float]]:
    """method -> (mean, std) over seeds of the whole-image NCC on all test pairs."""
    table = pd.read_csv(path)
    if "pairs" in table.columns:
        table = table[table["pairs"] == "all"]
    return {row.method: (float(row.mean), float(row.std)) for row in table.itertuples(index=False)}


def vagan_plateau(train_dir: Path, epochs: int, gain: float) -> tuple[bool, list[float]]:
    """Whether every VA-GAN seed's validation NCC levelled off; the late gain of each seed."""
    gains = []
    for history in sorted(train_dir.glob("seed*/history.csv")):
        val = pd.read_csv(history)["val_ncc"].to_numpy()
        if len(val) <= epochs:
            gains.append(float("inf"))
            continue
        gains.append(float(val[-epochs:].max() - val[:-epochs].max()))
    return bool(gains) and all(g <= gain for g in gains), gains


def criteria(results: Path, plateau_epochs: int, plateau_gain: float) -> list[dict]:
    """One dict per criterion: name, passed, and the numbers compared."""
    rows = []

    def add(name: str, passed: bool, **numbers: float | list[float]) -> None:
        rows.append({"criterion": name, "passed": bool(passed), **numbers})

    toy = results / "toy" / "summary.csv"
    if toy.is_file():
        m = _means(toy)
        vrgan, floor = m["vrgan"], m["mean_validation_map"][0]
        add("toy VR-GAN >= mean validation map + 0.05", vrgan[0] >= floor + 0.05, vrgan=vrgan[0], floor=floor)
        add("toy VR-GAN seed std <= 0.03", vrgan[1] <= 0.03, std=vrgan[1])
        if "vagan" in m:
            add("toy VA-GAN > Δx = −x", m["vagan"][0] > m["negative_image"][0], vagan=m["vagan"][0],
                negative_image=m["negative_image"][0])
            ok, gains = vagan_plateau(results / "toy" / "train" / "vagan", plateau_epochs, plateau_gain)
            add(f"toy VA-GAN levels off (gain over its last {plateau_epochs} epochs <= {plateau_gain})", ok,
                late_gain_per_seed=gains)
    for name, truth in (("summary_truth.csv", "true Δx"), ("summary.csv", "registration")):
        path = results / "xray" / name
        if not path.is_file():
            continue
        m = _means(path)
        vrgan = m["vrgan"][0]
        if truth == "true Δx":
            floor = m["mean_validation_map"][0]
            add(f"x-ray VR-GAN > mean validation map ({truth})", vrgan > floor, vrgan=vrgan, floor=floor)
        if "vagan" in m:
            add(f"x-ray VR-GAN > VA-GAN ({truth})", vrgan > m["vagan"][0], vrgan=vrgan, vagan=m["vagan"][0])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path, nargs="?", default=Path("results"))
    parser.add_argument("--plateau-epochs", type=int, default=3)
    parser.add_argument("--plateau-gain", type=float, default=0.01)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a criterion fails")
    args = parser.parse_args()
    rows = criteria(args.results, args.plateau_epochs, args.plateau_gain)
    if not rows:
        sys.exit(f"no summary tables under {args.results}/toy or {args.results}/xray")
    for row in rows:
        numbers = ", ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {[round(g, 3) for g in v]}"
            for k, v in row.items()
            if k not in ("criterion", "passed")
        )
        print(f"{'PASS' if row['passed'] else 'FAIL'}  {row['criterion']}: {numbers}")
    line = json.dumps({"label": args.label, "results": str(args.results), "criteria": rows})
    print(line)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a") as handle:
            handle.write(line + "\n")
    if args.strict and not all(row["passed"] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
