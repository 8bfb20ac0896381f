"""Training settings of VR-GAN and VA-GAN, built from one study's section of the config."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["CONDITIONAL_METHODS", "METHODS", "GeneratorSettings", "TrainingSettings", "VAGANSettings", "VRGANSettings", "settings_from_config"]

METHODS = ("vrgan", "vagan", "supervised")
LR_SCHEDULES = ("constant", "cosine")
CHECKPOINTS = ("best", "last")
# Methods whose generator is G(x, y', y); VA-GAN's is G(x).
CONDITIONAL_METHODS = ("vrgan", "supervised")


@dataclass(frozen=True)
class GeneratorSettings:
    """U-Net width, depth (paper: 64 channels, 4 poolings) and BatchNorm momentum (paper 0.01)."""

    base_channels: int = 64
    depth: int = 4
    bn_momentum: float = 0.01


@dataclass(frozen=True)
class VRGANSettings:
    """Loss weights of VR-GAN (paper values) and the regressor's warm-up.

    ``regressor_warmup_iterations`` trains R alone on (x, y) before the adversarial game, at
    ``regressor_warmup_lr``. It stands in for ImageNet pre-training when R starts from random
    weights (0 = no warm-up, the paper's setting with pretrained weights).
    """

    lambda_gx: float = 0.3
    lambda_reg: float = 0.03
    lambda_rx: float = 1.0
    lambda_rxp: float = 0.3
    regressor_warmup_iterations: int = 0
    regressor_warmup_lr: float = 1e-3


@dataclass(frozen=True)
class VAGANSettings:
    """VA-GAN baseline: WGAN-GP critic, L1 map weight, critic/generator schedule.

    The critic takes ``critic_steps`` steps per generator step, and ``critic_steps_boost`` steps for
    the first ``boost_first_generator_steps`` generator steps and every ``boost_every``-th one.
    ``generator_steps_per_epoch`` sets VA-GAN's epoch length (None: the training's
    ``iterations_per_epoch``): each generator step costs about ``critic_steps + 1`` VR-GAN
    iterations, so a run on a compute budget gives VA-GAN shorter epochs.

    ``critic_warmup_iterations`` trains the critic's ResNet alone as a regressor of y on the
    training images (BatchNorm statistics updated), at ``critic_warmup_lr``, before the game; its
    BatchNorm statistics are then frozen as the WGAN-GP critic needs. Like R's warm-up in VR-GAN it
    stands in for ImageNet pre-training when the critic starts from random weights (0 = none).
    """

    lambda_map: float = 100.0
    gradient_penalty: float = 10.0
    critic_steps: int = 5
    critic_steps_boost: int = 100
    boost_first_generator_steps: int = 25
    boost_every: int = 100
    generator_steps_per_epoch: int | None = None
    critic_warmup_iterations: int = 0
    critic_warmup_lr: float = 1e-3


@dataclass(frozen=True)
class TrainingSettings:
    """Everything one training run depends on.

    Attributes
    ----------
    method : {"vrgan", "vagan", "supervised"}
        ``supervised`` is the ceiling: the same conditional U-Net trained directly on the
        ground-truth maps (only where a truth exists: the toy and the demo phantom).
    seed : int
        Seeds the network initialisation and every random draw of the run.
    iterations_per_epoch : int
        Generator steps per epoch (for VA-GAN each comes with its critic steps).
    max_epochs, patience : int
        Early stopping: stop after ``patience`` epochs without a better validation NCC (``best``
        checkpoints only).
    checkpoint : {"best", "last"}
        The generator kept as ``best.pt`` and evaluated: ``best``, the epoch with the best
        validation NCC (the paper's choice); ``last``, the last epoch's, whatever its validation
        NCC (for a validation target too noisy to choose an epoch by, such as registration maps
        at a few dozen pixels; the NCC per epoch is still recorded).
    device : str
        ``auto`` (CUDA when present, else CPU), ``cpu``, ``cuda`` or ``cuda:N``.
    lr, lr_discriminator : float
        Adam learning rates of the generator and of R / the critic (None: the same as ``lr``).
    precision : str
        ``auto`` (bf16 autocast on CUDA and on CPUs with native bf16, else fp32), ``bf16``, ``fp32``.
    lr_schedule : {"constant", "cosine"}
        ``cosine`` lowers every game optimiser's learning rate (G, R / critic; not the warm-ups)
        along a half cosine from its value at the first step to 0 at ``max_epochs`` epochs;
        ``constant`` (published code) keeps it.
    generator_ema : float
        Decay of an exponential moving average of the generator's weights and BatchNorm statistics,
        updated after every generator step; validation, checkpoints and evaluation then use the
        average. 0 (the published code) uses the trained weights themselves.
    """

    method: Literal["vrgan", "vagan", "supervised"]
    seed: int
    batch_size: int = 20
    lr: float = 1e-4
    lr_discriminator: float | None = None
    betas: tuple[float, float] = (0.0, 0.9)
    iterations_per_epoch: int = 200
    max_epochs: int = 30
    patience: int = 10
    device: str = "auto"
    precision: str = "auto"
    threshold: float = 0.7
    regressor_weights: str = "none"
    freeze_bn: bool | str = "auto"
    regressor_input_scaling: str = "as_published"
    regressor_width: int = 64
    eval_batch_size: int = 50
    lr_schedule: str = "constant"
    generator_ema: float = 0.0
    checkpoint: str = "best"
    generator: GeneratorSettings = field(default_factory=GeneratorSettings)
    vrgan: VRGANSettings = field(default_factory=VRGANSettings)
    vagan: VAGANSettings = field(default_factory=VAGANSettings)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        for name in ("batch_size", "iterations_per_epoch", "max_epochs", "patience", "eval_batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {self.lr_schedule!r}")
        if self.checkpoint not in CHECKPOINTS:
            raise ValueError(f"checkpoint must be one of {CHECKPOINTS}, got {self.checkpoint!r}")
        if not 0.0 <= self.generator_ema < 1.0:
            raise ValueError(f"generator_ema must be in [0, 1), got {self.generator_ema}")
        if self.regressor_width < 1:
            raise ValueError(f"models.regressor.width must be >= 1, got {self.regressor_width}")
        if self.regressor_weights != "none" and self.regressor_width != 64:
            raise ValueError(
                f"models.regressor.weights {self.regressor_weights!r} fit a ResNet-18 of width 64 only, got "
                f"width {self.regressor_width}: set width 64, or weights none for a narrower network"
            )

    @property
    def conditional(self) -> bool:
        """Whether this method's generator takes the labels (y', y) as conditions."""
        return self.method in CONDITIONAL_METHODS

    @property
    def steps_per_epoch(self) -> int:
        """Generator steps per epoch of this run's method."""
        if self.method == "vagan" and self.vagan.generator_steps_per_epoch is not None:
            return self.vagan.generator_steps_per_epoch
        return self.iterations_per_epoch

    def lr_factor(self, step: int) -> float:
        """Multiplier of the game's learning rates before generator step ``step`` (from 0)."""
        if self.lr_schedule == "constant":
            return 1.0
        total = self.max_epochs * self.steps_per_epoch
        return 0.5 * (1.0 + math.cos(math.pi * min(step, total) / total))

    def as_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON-serialisable)."""
        return dataclasses.asdict(self)

    def fingerprint(self) -> str:
        """Hash of every setting that changes the course of training (not the device)."""
        values = self.as_dict()
        values.pop("device")
        values.pop("eval_batch_size")
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainingSettings":
        """Inverse of :meth:`as_dict`."""
        values = dict(values)
        values["betas"] = tuple(values.get("betas", (0.0, 0.9)))
        values["generator"] = GeneratorSettings(**values.get("generator", {}))
        values["vrgan"] = VRGANSettings(**values.get("vrgan", {}))
        values["vagan"] = VAGANSettings(**values.get("vagan", {}))
        return cls(**values)


def settings_from_config(
    training: dict[str, Any],
    models: dict[str, Any],
    vrgan: dict[str, Any],
    vagan: dict[str, Any],
    method: str,
    seed: int,
    threshold: float,
) -> TrainingSettings:
    """Build the settings of one run from the config sections (already schema-validated).

    Parameters
    ----------
    training : dict
        The study's ``training`` section (batch size, lr, epochs, device, …; its ``seeds`` and
        ``methods`` are ignored).
    models : dict
        The study's ``models`` section: ``generator`` and ``regressor``.
    vrgan, vagan : dict
        The method sections.
    method : str
        ``vrgan``, ``vagan`` or ``supervised``.
    seed : int
        The run's seed.
    threshold : float
        VA-GAN's class split, derived from the study's labels: the toy's ``data.threshold``, the
        cohort's ``copd_threshold`` for x-rays (one value each, never a second key to keep equal).
    """
    training = {key: value for key, value in training.items() if key not in ("seeds", "methods")}
    regressor = models.get("regressor", {})
    return TrainingSettings(
        method=method,
        seed=int(seed),
        betas=tuple(training.pop("betas", (0.0, 0.9))),
        regressor_weights=str(regressor.get("weights", "none")),
        freeze_bn=regressor.get("freeze_bn", "auto"),
        regressor_input_scaling=str(regressor.get("input_scaling", "as_published")),
        regressor_width=int(regressor.get("width", 64)),
        generator=GeneratorSettings(**models.get("generator", {})),
        vrgan=VRGANSettings(**vrgan),
        vagan=VAGANSettings(**vagan),
        threshold=float(threshold),
        **training,
    )
