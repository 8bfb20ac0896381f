"""The regressor R (VR-GAN) and the critic (VA-GAN): a torchvision ResNet-18 with one output.

Grayscale images in [-1, 1] are repeated to three channels and normalised with the ImageNet mean
and standard deviation. ``input_scaling`` says what is normalised:

- ``as_published`` (the published code): the image as it is, in [-1, 1]: ``(x - mean_c) / std_c``.
- ``unit_interval``: the image mapped to [0, 1] first, the statistics ImageNet weights were trained on.

The final layer is replaced by ``Linear(8 * width, 1)``.

``width`` is the number of channels of the first stage (64 in ResNet-18; the stages have
``width``, ``2 * width``, ``4 * width`` and ``8 * width``). A narrower network has the same layers,
strides and blocks with about ``(width / 64) ** 2`` of the arithmetic: the CPU demo's 32-pixel images
do not need torchvision's 11 M parameters. At ``width=64`` the network is torchvision's
``resnet18`` parameter for parameter (the same names, shapes and, for one seed, the same initial
values), so ImageNet weights and published state dicts load; other widths need ``weights="none"``.

Weights (``regressor.weights`` in the config):

- ``imagenet``: torchvision's ImageNet weights, downloaded by torchvision into its cache where the
  machine has internet access; without it a clear error names the cache path to fill by hand.
- ``none``: random initialisation.
- a path: a local state dict, either of a whole :class:`ResNetHead` or of a torchvision ResNet-18
  (its 1000-class ``fc`` is dropped).

Frozen BatchNorm (the paper, after VA-GAN): BN layers stay in eval mode, so their running
statistics are never updated, while gamma and beta are still trained. This keeps pretrained
statistics intact; with a random initialisation the running statistics are the identity (mean 0,
variance 1) and freezing them removes normalisation altogether, which makes a random-init ResNet
train much more slowly. ``freeze_bn="auto"`` therefore freezes only when pretrained weights are
loaded.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torchvision.models import ResNet18_Weights
from torchvision.models.resnet import BasicBlock

__all__ = ["INPUT_SCALINGS", "TORCHVISION_WIDTH", "ResNetHead", "load_weights", "resnet18_backbone", "resolve_freeze_bn"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
INPUT_SCALINGS = ("as_published", "unit_interval")
# First-stage width of torchvision's ResNet-18: the only width pretrained weights fit.
TORCHVISION_WIDTH = 64


def _stage(in_channels: int, channels: int, stride: int) -> nn.Sequential:
    """Two basic blocks; the first changes width and/or stride through a 1x1 conv shortcut."""
    downsample = None
    if stride != 1 or in_channels != channels:
        downsample = nn.Sequential(
            nn.Conv2d(in_channels, channels, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(channels)
        )
    return nn.Sequential(BasicBlock(in_channels, channels, stride, downsample), BasicBlock(channels, channels))


class _ResNet18(nn.Module):
    """torchvision's ResNet-18 layout (conv1, bn1, layer1-4, fc) at a first-stage width."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = _stage(width, width, 1)
        self.layer2 = _stage(width, 2 * width, 2)
        self.layer3 = _stage(2 * width, 4 * width, 2)
        self.layer4 = _stage(4 * width, 8 * width, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8 * width, 1000)
        # torchvision's initialisation, in its order (so width 64 draws the same values)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18_backbone(width: int = TORCHVISION_WIDTH) -> nn.Module:
    """A randomly initialised ResNet-18 whose first stage has ``width`` channels (torchvision: 64)."""
    if width < 1:
        raise ValueError(f"width must be >= 1, got {width}")
    return _ResNet18(width)


def resolve_freeze_bn(freeze_bn: bool | str, weights: str) -> bool:
    """Decide whether BatchNorm statistics are frozen: ``auto`` freezes only pretrained models."""
    if freeze_bn == "auto":
        return weights != "none"
    if isinstance(freeze_bn, bool):
        return freeze_bn
    raise ValueError(f"freeze_bn must be true, false or 'auto', got {freeze_bn!r}")


class ResNetHead(nn.Module):
    """ResNet-18 mapping grayscale images (N, 1, H, W) in [-1, 1] to one value per image (N,).

    Parameters
    ----------
    weights : str
        ``"imagenet"``, ``"none"`` or a path to a local state dict.
    freeze_bn : bool
        Keep every BatchNorm layer in eval mode (running statistics fixed).
    input_scaling : {"as_published", "unit_interval"}
        Normalise the image as it is (published code) or after mapping it to [0, 1].
    width : int
        Channels of the first stage (ResNet-18: 64, the only width pretrained weights fit).
    """

    def __init__(
        self,
        weights: str = "none",
        freeze_bn: bool = False,
        input_scaling: str = "as_published",
        width: int = TORCHVISION_WIDTH,
    ) -> None:
        super().__init__()
        if input_scaling not in INPUT_SCALINGS:
            raise ValueError(f"input_scaling must be one of {INPUT_SCALINGS}, got {input_scaling!r}")
        if weights != "none" and width != TORCHVISION_WIDTH:
            raise ValueError(
                f"regressor weights {weights!r} fit a ResNet-18 of width {TORCHVISION_WIDTH} only, got width "
                f"{width}: use weights none with a narrower network"
            )
        self.input_scaling = input_scaling
        self.width = width
        self.net = resnet18_backbone(width)
        self.net.fc = nn.Linear(self.net.fc.in_features, 1)
        self.freeze_bn = freeze_bn
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        load_weights(self, weights)

    def train(self, mode: bool = True) -> "ResNetHead":
        super().train(mode)
        if self.freeze_bn:
            for module in self.modules():
                if isinstance(module, nn.BatchNorm2d):
                    module.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != 1:
            raise ValueError(f"expected images of shape (N, 1, H, W), got {tuple(x.shape)}")
        if self.input_scaling == "unit_interval":
            x = (x + 1.0) / 2.0
        x = (x.expand(-1, 3, -1, -1) - self.mean.to(x.dtype)) / self.std.to(x.dtype)
        return self.net(x).squeeze(1)


def load_weights(model: ResNetHead, weights: str) -> None:
    """Load ``weights`` (``imagenet``, ``none`` or a state-dict path) into ``model`` in place.

    Raises
    ------
    FileNotFoundError
        A path that does not exist.
    RuntimeError
        ImageNet weights that cannot be downloaded (the message names torchvision's cache), or a
        state dict that does not fit a ResNet-18.
    """
    if weights == "none":
        return
    if weights == "imagenet":
        spec = ResNet18_Weights.IMAGENET1K_V1
        cache = Path(torch.hub.get_dir()) / "checkpoints" / Path(spec.url).name
        try:
            state = spec.get_state_dict(progress=False)
        except Exception as error:  # noqa: BLE001 - any download failure gets the same advice
            raise RuntimeError(
                f"could not load torchvision's ImageNet ResNet-18 weights ({error}). Without internet, "
                f"download {spec.url} elsewhere and place it at {cache}, or set regressor.weights to a "
                "local state-dict path, or to 'none' for random initialisation."
            ) from error
        _load_backbone(model, state, source=str(cache))
        return
    path = Path(weights)
    if not path.is_file():
        raise FileNotFoundError(f"regressor weights file not found: {path} (regressor.weights in the config)")
    state = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    _load_backbone(model, state, source=str(path))


def _load_backbone(model: ResNetHead, state: dict, source: str) -> None:
    if any(key.startswith("net.") for key in state):
        state = {key.removeprefix("net."): value for key, value in state.items()}
    fc_shape = tuple(state.get("fc.weight", torch.empty(0)).shape)
    if fc_shape != (1, model.net.fc.in_features):
        state = {key: value for key, value in state.items() if not key.startswith("fc.")}
    missing, unexpected = model.net.load_state_dict(state, strict=False)
    missing = [key for key in missing if not key.startswith("fc.")]
    if missing or unexpected:
        raise RuntimeError(
            f"state dict {source} does not fit a ResNet-18: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
