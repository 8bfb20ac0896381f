# The exports of vrgan.training, each imported from its module on first use (vrgan.lazy reads
# this file; so do type checkers and vrgan_workflow.imports). Docstring: __init__.py.

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
