"""Ingest speed: files/s of the header scan and of the full ingest (scan + decode + cache).

Usage (from the repository root): PYTHONPATH=. python benchmarks/ingest.py EXPORT_OR_DICOM_DIR \
    [--threads 1 2] [--repeat 3]

EXPORT_OR_DICOM_DIR is an export (its dicom/ folder is used) or a DICOM folder. Each figure
is the best of --repeat runs; the images go to a temporary folder and a throwaway key is
used, so nothing is written into the repository. Not run by CI.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
from pathlib import Path

from timing import best_time

from vrgan.cohort import Pseudonymizer, ingest_export
from vrgan.cohort.ingest import list_files, scan_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    dicom = args.folder / "dicom" if (args.folder / "dicom").is_dir() else args.folder
    n = len(list_files(dicom))
    pseudo = Pseudonymizer(secrets.token_bytes(32))
    print(f"{n} files under {dicom}")
    print(f"{'threads':>7} {'header scan files/s':>20} {'full ingest files/s':>20}")
    for threads in args.threads:
        scan = best_time(lambda: scan_files(dicom, pseudo, threads), args.repeat)
        with tempfile.TemporaryDirectory() as tmp:
            full = best_time(lambda: ingest_export(dicom, Path(tmp) / "images", pseudo, 1.0, threads), args.repeat)
        print(f"{threads:>7} {n / scan:>20.1f} {n / full:>20.1f}")


if __name__ == "__main__":
    main()
