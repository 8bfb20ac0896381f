"""Issue 9, criterion 3: do the demo's conclusions hold on other draws?

Runs the whole demo (``snakemake`` on ``config.yaml``) once per draw, each in its own working
directory, with every seed of the demo moved by the draw number: the synthetic export, the
cohort's subject split, the toy's data splits and pairs, the training seeds of both studies and
the independent regressor's seed. Draw 0 is the demo as shipped. After each run it reads the
run's tables with ``demo_criteria.criteria`` and appends one JSON line (draw, seeds, wall time,
criteria) to ``--out``; then it prints the spread over every draw recorded there.

    python benchmarks/demo_draws.py --draws 1 2 --workdir /tmp/vrgan-draws --cores 2
    python benchmarks/demo_draws.py --add-existing results --draws 0   # a finished `make demo`
    python benchmarks/demo_draws.py --summarize                        # the table only

A measurement, not a test: a draw that fails a criterion is reported, not an error. One draw
takes as long as ``make demo`` (about 20 minutes on 2 cores); run nothing else meanwhile if the
wall time matters.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_criteria import criteria  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "demo_draws.jsonl"


def draw_overrides(config: dict, draw: int) -> dict:
    """Config overrides for one draw: every seed of the demo moved by ``draw`` (0: as shipped)."""
    toy, xray = config["toy"], config["xray"]
    n_toy, n_xray = len(toy["training"]["seeds"]), len(xray["training"]["seeds"])
    toy_seeds = [s + draw * n_toy for s in toy["training"]["seeds"]]
    xray_seeds = [s + draw * n_xray for s in xray["training"]["seeds"]]
    return {
        "synth": {"seed": config["synth"]["seed"] + draw},
        "cohort": {"split": {"seed": config["cohort"]["split"]["seed"] + draw}},
        "toy": {
            "data": {"seeds": {k: v + 100 * draw for k, v in toy["data"]["seeds"].items()}},
            "training": {"seeds": toy_seeds},
            "counterfactual": {"seed": toy["counterfactual"]["seed"] + draw},
            "figure": {"seed": toy_seeds[0]},
        },
        "xray": {
            "training": {"seeds": xray_seeds},
            "counterfactual": {"seed": xray["counterfactual"]["seed"] + draw},
            "figure": {"seed": xray_seeds[0]},
        },
    }


def headline(rows: list[dict]) -> dict[str, float]:
    """The numbers of a draw's criteria, flattened to 'criterion: name' -> value."""
    out = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float):
                out[f"{row['criterion']}: {key}"] = value
    return out


def run_draw(
    draw: int, workdir: Path, cores: int, config_path: Path, extra: tuple[str, ...] = ()
) -> tuple[Path, dict, float]:
    """Run the demo for one draw in ``workdir/draw<N>``; its results folder, overrides and seconds."""
    config = yaml.safe_load(config_path.read_text())
    overrides = draw_overrides(config, draw)
    directory = workdir / f"draw{draw}"
    directory.mkdir(parents=True, exist_ok=True)
    override_file = directory / "draw.yaml"
    override_file.write_text(yaml.safe_dump(overrides, sort_keys=False))
    # the Snakefile's `configfile: "config.yaml"` is read relative to the working directory
    (directory / "config.yaml").write_text(config_path.read_text())
    command = [
        sys.executable, "-m", "snakemake",
        "--snakefile", str(ROOT / "Snakefile"),
        "--directory", str(directory),
        "--configfile", str(config_path), str(override_file),
        "--cores", str(cores),
        *extra,
    ]  # fmt: skip
    log = directory / "snakemake.log"
    print(f"draw {draw}: {' '.join(command)} (log {log})", flush=True)
    start = time.perf_counter()
    with log.open("w") as handle:
        status = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT).returncode
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"draw {draw}: snakemake exited with {status}; see {log}")
    return directory / "results", overrides, seconds


def record(out: Path, draw: int, results: Path, overrides: dict | None, seconds: float | None) -> None:
    """Append one draw's criteria to ``out`` and print them."""
    rows = criteria(results, plateau_epochs=3, plateau_gain=0.01)
    if not rows:
        sys.exit(f"draw {draw}: no summary tables under {results}")
    for row in rows:
        print(f"draw {draw} {'PASS' if row['passed'] else 'FAIL'}  {row['criterion']}")
    line = {"draw": draw, "results": str(results), "seconds": seconds, "overrides": overrides, "criteria": rows}
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a") as handle:
        handle.write(json.dumps(line) + "\n")


def summarize(out: Path) -> None:
    """Per criterion: pass count over draws, and each number's value per draw, mean and range."""
    draws = {}
    for line in out.read_text().splitlines():
        entry = json.loads(line)
        draws[entry["draw"]] = entry  # the latest record of a draw wins
    order = sorted(draws)
    print(f"{len(order)} draws: {order}")
    names = list(dict.fromkeys(r["criterion"] for d in order for r in draws[d]["criteria"]))
    for name in names:
        passed = [r["passed"] for d in order for r in draws[d]["criteria"] if r["criterion"] == name]
        print(f"{sum(passed)}/{len(passed)} pass  {name}")
    numbers = [headline(draws[d]["criteria"]) for d in order]
    print("| number | " + " | ".join(f"draw {d}" for d in order) + " | mean | min | max |")
    print("| --- " * (len(order) + 4) + "|")
    for key in dict.fromkeys(k for n in numbers for k in n):
        values = [n.get(key) for n in numbers]
        present = [v for v in values if v is not None]
        cells = " | ".join("—" if v is None else f"{v:.3f}" for v in values)
        stats = f"{statistics.fmean(present):.3f} | {min(present):.3f} | {max(present):.3f}"
        print(f"| {key} | {cells} | {stats} |")
    seconds = [draws[d]["seconds"] for d in order if draws[d]["seconds"] is not None]
    if seconds:
        print("wall time per run (s): " + ", ".join(f"{s:.0f}" for s in seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, nargs="*", default=[])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/vrgan-draws"))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--add-existing", type=Path, metavar="RESULTS",
                        help="record a finished run's results folder as the (single) draw given")  # fmt: skip
    parser.add_argument("--summarize", action="store_true", help="only print the table of --out")
    args = parser.parse_args()
    if args.add_existing is not None:
        if len(args.draws) != 1:
            sys.exit("--add-existing needs exactly one --draws number")
        record(args.out, args.draws[0], args.add_existing, None, None)
    elif not args.summarize:
        for draw in args.draws:
            results, overrides, seconds = run_draw(draw, args.workdir, args.cores, args.config)
            record(args.out, draw, results, overrides, seconds)
    summarize(args.out)


if __name__ == "__main__":
    main()
