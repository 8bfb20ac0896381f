"""Networks of VR-GAN and VA-GAN: the U-Net generator and the ResNet-18 regressor / critic."""

# The exports (listed in __init__.pyi) are imported on first use: importing one module of the
# package, as the workflow's Snakefile does, does not import the others and their torch,
# pydicom or matplotlib (vrgan.lazy).
from vrgan.lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
