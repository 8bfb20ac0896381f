"""What the paper reports (Bigolin Lanfredi et al., MICCAI 2019), quoted from its text: the test
NCC of both methods, the scale of its experiments and, in one line each, its figures.

The report (:mod:`vrgan.report`) sets these beside this workflow's results; nothing here is
computed.
"""

from __future__ import annotations

__all__ = ["FIGURES", "NCC", "SCALE", "SEEDS"]

#: Study -> method -> (mean, std) of the test NCC over :data:`SEEDS` training seeds (section 3).
NCC = {
    "toy": {"vagan": (0.780, 0.007), "vrgan": (0.853, 0.014)},
    "xray": {"vagan": (0.012, 0.015), "vrgan": (0.127, 0.017)},
}
SEEDS = 5

#: Setting -> (toy study, COPD x-rays). The x-ray training schedule is not stated in the paper;
#: the toy's is the authors' published code.
SCALE = {
    "image side (px)": ("224", "256, crop 224"),
    "training images": ("10,000", "3,414"),
    "test pairs": ("5,424", "587"),
    "U-Net width, depth": ("64, 4", "64, 4"),
    "regressor R weights, width": ("imagenet, 64", "imagenet, 64"),
    "training": ("30 epochs × 200 iterations (published code)", "not stated"),
    "seeds": (str(SEEDS), str(SEEDS)),
}

#: The report's figure inputs -> (title of ours, the paper's figure of the same kind in one line).
FIGURES = {
    "toy_figure": (
        "Toy study, Fig. 2 style",
        "Paper Fig. 2 (224 px): one test square of y = 0.79; VR-GAN's Δx and x' for y' = 0.59 … 0.99 "
        "shrink and grow the square by the asked amount, VA-GAN's single map only shrinks it "
        "(NCC 0.853 ± 0.014 vs 0.780 ± 0.007).",
    ),
    "toy_curves": (
        "Toy study, validation NCC per epoch",
        "Not in the paper (the authors' code kept the epoch with the best validation NCC, as we do).",
    ),
    "synth_figure": (
        "Synthetic export: subjects over their visits",
        "Not in the paper: the demo's phantom stands in for the private Utah cohort.",
    ),
    "registration_figure": (
        "Registration ground truth, Fig. 3 style",
        "Paper Fig. 3: two Utah pairs: the reference x without COPD, x' with COPD, x' after "
        "pystackreg's affine alignment, and their difference, used as the ground-truth Δx.",
    ),
    "attribution_figure": (
        "X-ray attribution, Fig. 4 style",
        "Paper Fig. 4: a test x of FEV1/FVC 0.72; VR-GAN's Δx and x' for several desired FEV1/FVC, "
        "VA-GAN's single map (NCC 0.127 ± 0.017 vs 0.012 ± 0.015).",
    ),
    "severity_figure": (
        "Severity in both directions, Fig. 5 style",
        "Paper Fig. 5: VR-GAN from FEV1/FVC 0.8 to 0.4 (lower, flatter diaphragm, added lucency) and "
        "from 0.37 to 0.8 (higher, curved diaphragm, less lucency).",
    ),
    "xray_curves": ("X-ray study, validation NCC per epoch", "Not in the paper."),
    "progression": (
        "Progression: x' as y' sweeps from healthy to severe",
        "Not in the paper (its Fig. 4 shows five fixed y').",
    ),
}

#: The paper's cohort, for the flow (section 3.2).
COHORT = "3,414 training images, 208 validation and 587 test pairs"
