"""vrgan: visual attribution in regression (VR-GAN) for chest x-rays.

The library behind the Snakemake pipeline: pure, typed functions (arrays in, arrays out).
Nothing in this package imports snakemake.
"""

__version__ = "0.1.0"
