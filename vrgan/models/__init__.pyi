# The exports of vrgan.models, each imported from its module on first use (vrgan.lazy reads
# this file; so do type checkers and vrgan_workflow.imports). Docstring: __init__.py.

from vrgan.models.resnet import ResNetHead, load_weights, resolve_freeze_bn
from vrgan.models.unet import UNetGenerator, condition_planes

__all__ = ["ResNetHead", "UNetGenerator", "condition_planes", "load_weights", "resolve_freeze_bn"]
