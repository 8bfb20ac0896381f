"""The generator G: a U-Net that outputs a disease-effect map Δx (x' = x + Δx).

Architecture (facts of the published implementation): two 3x3 conv -> BatchNorm -> ReLU blocks per
level, ``depth`` max-pool downsamplings (paper: base width 64, 4 poolings, 224 -> 14 px at the
bottleneck with 1024 channels, 34.50 M parameters, 22 convolutions); the decoder upsamples x2
bilinearly (``align_corners=True``), applies a 3x3 conv + BN + ReLU, concatenates the skip and
applies two blocks, except the top level, which applies one (128 -> 64 at width 64). The
conditioning of VR-GAN, constant planes ``(y' - 0.7)/0.2``, ``(y - 0.7)/0.2`` and ``(y - y')/0.2``,
is concatenated to the bottleneck's *output* (the 1024-channel map), so it feeds the first
upsampling block directly: it reaches neither the encoder, nor the skips, nor the bottleneck's own
convolutions. The output layer is a 3x3 conv followed by a one-channel BatchNorm, with no
activation, so Δx is unbounded. Initialisation: Kaiming-normal convolutions with zero bias,
BatchNorm gamma ~ N(0.1, 0.01) and beta 0, so Δx starts small.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["UNetGenerator", "condition_planes"]

BN_MOMENTUM = 0.01
LABEL_CENTRE = 0.7
LABEL_SCALE = 0.2


def condition_planes(y_prime: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The three normalised conditioning values of VR-GAN, per sample.

    Parameters
    ----------
    y_prime, y : Tensor of shape (N,)
        Desired and original labels.

    Returns
    -------
    Tensor of shape (N, 3)
        ``(y' - 0.7)/0.2``, ``(y - 0.7)/0.2`` and ``(y - y')/0.2``.
    """
    y_prime = y_prime.reshape(-1).float()
    y = y.reshape(-1).float()
    return torch.stack(
        [(y_prime - LABEL_CENTRE) / LABEL_SCALE, (y - LABEL_CENTRE) / LABEL_SCALE, (y - y_prime) / LABEL_SCALE],
        dim=1,
    )


def _conv_bn_relu(in_channels: int, out_channels: int, momentum: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
        nn.BatchNorm2d(out_channels, momentum=momentum),
        nn.ReLU(inplace=True),
    )


def _double_block(in_channels: int, out_channels: int, momentum: float) -> nn.Sequential:
    return nn.Sequential(
        _conv_bn_relu(in_channels, out_channels, momentum), _conv_bn_relu(out_channels, out_channels, momentum)
    )


class _Up(nn.Module):
    """x2 bilinear upsample, conv + BN + ReLU, concatenate the skip, ``n_blocks`` conv blocks."""

    def __init__(self, in_channels: int, out_channels: int, momentum: float, n_blocks: int = 2) -> None:
        super().__init__()
        self.reduce = _conv_bn_relu(in_channels, out_channels, momentum)
        blocks = [_conv_bn_relu(2 * out_channels, out_channels, momentum)]
        blocks += [_conv_bn_relu(out_channels, out_channels, momentum) for _ in range(n_blocks - 1)]
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=True)
        return self.blocks(torch.cat([self.reduce(x), skip], dim=1))


class UNetGenerator(nn.Module):
    """U-Net generator of disease-effect maps.

    Parameters
    ----------
    base_channels : int
        Width of the first level (paper: 64); level ``i`` has ``base_channels * 2**i`` channels.
    depth : int
        Number of max-pool downsamplings (paper: 4). Image sides must be divisible by ``2**depth``.
    n_conditions : int
        Number of conditioning planes concatenated to the bottleneck's output: 3 for VR-GAN
        (see :func:`condition_planes`), 0 for VA-GAN.
    bn_momentum : float
        Momentum of the BatchNorm running statistics (paper 0.01). Evaluation uses the running
        statistics, which need about ``3 / bn_momentum`` iterations to catch up with the weights:
        short runs need a larger momentum.

    Notes
    -----
    ``forward(x, conditions)`` takes images of shape (N, 1, H, W) and conditions of shape
    (N, n_conditions) and returns Δx of shape (N, 1, H, W).
    """

    def __init__(
        self, base_channels: int = 64, depth: int = 4, n_conditions: int = 3, bn_momentum: float = BN_MOMENTUM
    ) -> None:
        super().__init__()
        if base_channels < 1 or depth < 1:
            raise ValueError(f"base_channels and depth must be >= 1, got {base_channels}, {depth}")
        self.depth = depth
        self.n_conditions = n_conditions
        widths = [base_channels * 2**i for i in range(depth + 1)]
        self.inc = _double_block(1, widths[0], bn_momentum)
        self.down = nn.ModuleList(_double_block(widths[i], widths[i + 1], bn_momentum) for i in range(depth - 1))
        self.bottleneck = _double_block(widths[depth - 1], widths[depth], bn_momentum)
        # The first upsampling block also reads the conditioning planes; the top level has one block.
        self.up = nn.ModuleList(
            _Up(
                widths[i + 1] + (n_conditions if i == depth - 1 else 0),
                widths[i],
                bn_momentum,
                n_blocks=1 if i == 0 else 2,
            )
            for i in reversed(range(depth))
        )
        self.out = nn.Sequential(
            nn.Conv2d(widths[0], 1, kernel_size=3, padding=1),
            nn.BatchNorm2d(1, momentum=bn_momentum),
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Kaiming-normal convolutions with zero bias; BatchNorm gamma ~ N(0.1, 0.01), beta 0."""
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.normal_(module.weight, mean=0.1, std=0.01)
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor, conditions: torch.Tensor | None = None) -> torch.Tensor:
        factor = 2**self.depth
        if x.ndim != 4 or x.shape[1] != 1:
            raise ValueError(f"expected images of shape (N, 1, H, W), got {tuple(x.shape)}")
        if x.shape[-1] % factor or x.shape[-2] % factor:
            raise ValueError(f"image sides {tuple(x.shape[-2:])} must be divisible by 2**depth = {factor}")
        skips = [self.inc(x)]
        for block in self.down:
            skips.append(block(F.max_pool2d(skips[-1], 2)))
        h = self.bottleneck(F.max_pool2d(skips[-1], 2))
        if self.n_conditions:
            if conditions is None or conditions.shape != (x.shape[0], self.n_conditions):
                got = None if conditions is None else tuple(conditions.shape)
                raise ValueError(f"expected conditions of shape ({x.shape[0]}, {self.n_conditions}), got {got}")
            planes = conditions.to(h.dtype)[:, :, None, None].expand(-1, -1, *h.shape[-2:])
            h = torch.cat([h, planes], dim=1)
        for up, skip in zip(self.up, reversed(skips)):
            h = up(h, skip)
        return self.out(h)
