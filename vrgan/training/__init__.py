"""Training VR-GAN, the VA-GAN baseline and the supervised ceiling: settings, data, steps, loop and inference."""

from vrgan.training.data import EvalPairs, ImageBank
from vrgan.training.inference import load_generator, predict_maps
from vrgan.training.loop import TrainingResult, train, validation_ncc
from vrgan.training.methods import VAGAN, VRGAN, Supervised, build_method
from vrgan.training.pairs import CleanPairBank, PairBank, TruthPairBank
from vrgan.training.settings import (
    METHODS,
    GeneratorSettings,
    TrainingSettings,
    VAGANSettings,
    VRGANSettings,
    settings_from_config,
)

__all__ = [
    "METHODS",
    "VAGAN",
    "VRGAN",
    "EvalPairs",
    "CleanPairBank",
    "PairBank",
    "Supervised",
    "TruthPairBank",
    "GeneratorSettings",
    "ImageBank",
    "TrainingResult",
    "TrainingSettings",
    "VAGANSettings",
    "VRGANSettings",
    "build_method",
    "load_generator",
    "predict_maps",
    "settings_from_config",
    "train",
    "validation_ncc",
]
