"""Config sections as rule params that compare equal whatever the order of their keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["key_order_free"]


def key_order_free(value: Any) -> Any:
    """``value`` with the keys of every nested mapping sorted (lists keep their order).

    Snakemake compares a rule's params by their ``repr``, so a mapping taken from the config
    (``privacy:``, ``split:``...) would look changed when only its keys were reordered, by hand
    or by a YAML round trip. The Snakefile passes each config section through this function.

    Examples
    --------
    >>> key_order_free({"b": {"y": 1, "x": [{"q": 2, "p": 3}]}, "a": 0})
    {'a': 0, 'b': {'x': [{'p': 3, 'q': 2}], 'y': 1}}
    """
    if isinstance(value, Mapping):
        return {key: key_order_free(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [key_order_free(item) for item in value]
    return value
