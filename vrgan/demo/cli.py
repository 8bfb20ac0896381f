"""Command-line entry point of the demo wing: ``vrgan <subcommand> ...`` (today: ``synth-export``).

Each subcommand registers itself in :data:`SUBCOMMANDS` with a function that adds its arguments
to an argparse sub-parser and a function that runs it; to add one, write the two functions and
add a line to the table.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, Sequence

__all__ = ["main", "SUBCOMMANDS"]


def _add_synth_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", help="output directory (receives dicom/, pft.csv, transplants.csv, truth/)")
    parser.add_argument("--subjects", type=int, default=100, help="number of patients with DICOM exams (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; same seed, same export (default 0)")
    parser.add_argument("--size", type=int, default=256, help="image rows in pixels (default 256)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing export in OUT")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _run_synth_export(args: argparse.Namespace) -> int:
    from vrgan.demo.synth.export import write_export

    summary = write_export(
        args.out, args.subjects, args.seed, args.size, overwrite=args.overwrite, progress=not args.no_progress
    )
    print(
        f"{summary['files']['total']} files, {summary['exams']['total']} exams, {summary['pft']['rows']} PFT rows -> {args.out}"
    )
    return 0


SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "synth-export": (
        "write a synthetic hospital export (DICOM + PFT tables + truth)",
        _add_synth_export,
        _run_synth_export,
    ),
}


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr; keep chatty third-party loggers (openjpeg's per-tile INFO) quiet."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    logging.getLogger("openjpeg").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``) and run the chosen subcommand; return its exit code.

    Usage errors and refused overwrites exit with status 2 and a one-line message.
    """
    parser = argparse.ArgumentParser(prog="vrgan", description="VR-GAN pipeline tools")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, add_arguments, _) in SUBCOMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    try:
        return SUBCOMMANDS[args.command][2](args)
    except (FileExistsError, ValueError) as error:  # bad arguments or existing output: exit 2
        parser.exit(2, f"vrgan {args.command}: error: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
