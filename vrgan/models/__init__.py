"""Networks of VR-GAN and VA-GAN: the U-Net generator and the ResNet-18 regressor / critic."""

from vrgan.models.resnet import ResNetHead, load_weights, resolve_freeze_bn
from vrgan.models.unet import UNetGenerator, condition_planes

__all__ = ["ResNetHead", "UNetGenerator", "condition_planes", "load_weights", "resolve_freeze_bn"]
