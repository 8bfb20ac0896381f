"""Training VR-GAN, the VA-GAN baseline and the supervised ceiling: settings, data, steps, loop and inference."""

# The exports (listed in __init__.pyi) are imported on first use: importing one module of the
# package, as the workflow's Snakefile does, does not import the others and their torch,
# pydicom or matplotlib (vrgan.lazy).
from vrgan.lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
