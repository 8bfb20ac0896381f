"""Speed of the synthetic export: seconds per 100 subjects at the demo size, and one 2048 px exam.

Run from the repository root (short: about 10 s on one free core; ``PYTHONPATH=.`` when the
installed ``vrgan`` is another checkout):

    python benchmarks/synth_export.py [--subjects 25] [--size 256] [--big 2048]

Not run by CI. Prints one line per measurement.
"""

import argparse
import logging
import tempfile
import time

import numpy as np

from vrgan.demo.synth.acquisition import Acquisition, draw_pose_exposure, noisy_levels
from vrgan.demo.synth.anatomy import draw_anatomy
from vrgan.demo.synth.dicom_writer import ImageHeader, image_file_bytes
from vrgan.demo.synth.export import write_export
from vrgan.demo.synth.layers import build_layers, grid_size_for
from vrgan.demo.synth.pixel_encoding import PixelEncoding, stored_from_levels


def time_export(n_subjects: int, size: int) -> None:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        summary = write_export(out, n_subjects, seed=1, size=size, progress=False)
        seconds = time.perf_counter() - start
    n_files = summary["files"]["total"]
    print(
        f"export {n_subjects} subjects at {size} px: {seconds:.2f} s, {n_files} files "
        f"-> {100 * seconds / n_subjects:.1f} s per 100 subjects, {1000 * seconds / n_files:.1f} ms per file"
    )


def time_big_exam(size: int) -> None:
    anatomy = draw_anatomy(np.random.default_rng(0))
    pose, exposure = draw_pose_exposure(np.random.default_rng(1))
    acq = Acquisition("PA", (size, round(0.82 * size)), pose, exposure, PixelEncoding(14, "MONOCHROME1"))
    t0 = time.perf_counter()
    layers = build_layers(anatomy, "PA", grid_size_for(size))
    t1 = time.perf_counter()
    stored = stored_from_levels(noisy_levels(anatomy, layers, 0.5, acq, np.random.default_rng(2)), acq.encoding)
    t2 = time.perf_counter()
    header = ImageHeader(
        "0",
        "X^Y",
        "19500101",
        "F",
        "H1",
        "2.25.1",
        "2.25.2",
        "2.25.3",
        "1.2.840.10008.5.1.4.1.1.1",
        "CR",
        "20150101",
        "120000",
        "1",
        "XR CHEST",
        "CHEST PA",
        1,
        1,
        "PA",
        "PA",
        None,
        None,
        0.21,
    )
    data = image_file_bytes(header, stored, acq.encoding, "jpeg_lossless_sv1")
    t3 = time.perf_counter()
    print(
        f"one {acq.shape[0]}x{acq.shape[1]} PA exam: layers {t1 - t0:.2f} s, render {t2 - t1:.2f} s, "
        f"JPEG Lossless SV1 file {t3 - t2:.2f} s ({len(data) / 2**20:.1f} MiB)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=25)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--big", type=int, default=2048)
    args = parser.parse_args()
    logging.getLogger("openjpeg").setLevel(logging.WARNING)
    time_export(args.subjects, args.size)
    time_big_exam(args.big)
