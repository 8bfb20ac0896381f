"""Tooling of the Snakemake workflow, apart from the study library ``vrgan``.

- :mod:`vrgan_workflow.imports`: the ``vrgan`` modules a workflow script uses, read from the source,
  so that each rule declares exactly the code it depends on;
- :mod:`vrgan_workflow.params`: config sections as rule params that compare equal whatever the
  order of their keys.

The Snakefile's folder is on the driver's import path (Snakemake puts it there), so the workflow
imports this package from the checkout; it imports the standard library only, so planning a run
needs none of the study's heavy dependencies. Nothing in ``vrgan`` imports it.
"""
