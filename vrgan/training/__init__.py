"""Training VR-GAN and the VA-GAN baseline: settings, data, steps, loop and inference."""

from vrgan.training.data import EvalPairs, ImageBank
from vrgan.training.inference import load_generator, predict_maps
from vrgan.training.loop import TrainingResult, train, validation_ncc
from vrgan.training.methods import VAGAN, VRGAN, build_method
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
