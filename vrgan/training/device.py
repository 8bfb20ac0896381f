"""Device and numeric precision of a training or evaluation run."""

from __future__ import annotations

import contextlib
import logging

import torch

__all__ = ["autocast", "resolve_device", "resolve_precision"]

log = logging.getLogger(__name__)


def resolve_device(device: str) -> torch.device:
    """``auto`` picks CUDA when present, else the CPU; other values are passed to torch.

    Raises
    ------
    RuntimeError
        A CUDA device is asked for but none is available.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {device!r} requested (training.device) but CUDA is not available")
    return resolved


def _cpu_has_native_bf16() -> bool:
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # pragma: no cover - depends on the torch build
        return False


def resolve_precision(precision: str, device: torch.device) -> torch.dtype | None:
    """Autocast dtype for ``precision`` on ``device``: ``torch.bfloat16`` or None (fp32).

    ``auto`` uses bf16 on CUDA devices that support it and on CPUs with native bf16 instructions
    (AVX512-BF16 / AMX), where it is 1.6-2.6x faster; fp32 elsewhere.
    """
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if precision != "auto":
        raise ValueError(f"precision must be auto, bf16 or fp32, got {precision!r}")
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else None
    return torch.bfloat16 if _cpu_has_native_bf16() else None


def autocast(device: torch.device, dtype: torch.dtype | None) -> contextlib.AbstractContextManager:
    """Autocast context for ``dtype`` on ``device`` (a no-op for fp32)."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)
