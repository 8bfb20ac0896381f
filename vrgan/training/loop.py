"""The training loop shared by VR-GAN, VA-GAN and the supervised ceiling: epochs, validation NCC, checkpoints, resume.

Files in the run's output folder:

- ``best.pt``: the generator (and R / critic) of the epoch with the best validation NCC, with the
  settings it was trained with; what evaluation uses.
- ``last.pt``: the complete state at the end of the last finished epoch (networks, optimisers,
  random-number generators, history, and a copy of ``best.pt``'s content). A killed job that is
  started again resumes from it instead of restarting, provided it was written with the same
  settings, data and training code (:func:`resume_fingerprint`), and writes ``best.pt`` again if
  it is missing (Snakemake deletes a job's outputs before it restarts it); ``last.pt`` is removed
  when training finishes.
- ``history.csv``: one row per epoch: iterations so far, seconds, mean losses, validation NCC.

Epoch 0 is the state before the adversarial game (after R's warm-up for VR-GAN). Training stops
after ``max_epochs`` or after ``patience`` epochs without a better validation NCC.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from vrgan.artefacts import atomic_write, write_table
from vrgan.metrics import ncc
from vrgan.training.data import EvalPairs, ImageBank
from vrgan.training.device import resolve_device, resolve_precision
from vrgan.training.inference import predict_maps
from vrgan.training.methods import GANMethod, build_method
from vrgan.training.pairs import PairBank
from vrgan.training.settings import TrainingSettings

__all__ = ["TrainingResult", "resume_fingerprint", "save_checkpoint", "train", "validation_ncc"]

log = logging.getLogger(__name__)


@dataclass
class TrainingResult:
    """What a finished run reports."""

    best_epoch: int
    best_val_ncc: float
    epochs_run: int
    resumed_from_epoch: int | None
    history: pd.DataFrame


def save_checkpoint(obj: Any, path: Path) -> None:
    """``torch.save`` through ``atomic_write``, so a killed job leaves no half checkpoint."""
    with atomic_write(path) as tmp:
        torch.save(obj, tmp)


def validation_ncc(method: GANMethod, pairs: EvalPairs) -> float:
    """Mean NCC of the generator's maps against the pairs' ground truth (NaN pairs ignored)."""
    maps = predict_maps(
        method.eval_generator, pairs.x, pairs.y, pairs.y_prime, method.device, method.dtype,
        method.settings.eval_batch_size,
    )
    values = ncc(maps, pairs.target)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def _array_digest(obj: Any, digest: "hashlib._Hash") -> None:
    """Feed every numpy array among ``obj``'s attributes (by name) into ``digest``."""
    for name, value in sorted(vars(obj).items()):
        if isinstance(value, np.ndarray):
            digest.update(name.encode())
            digest.update(str((value.dtype, value.shape)).encode())
            digest.update(np.ascontiguousarray(value).tobytes())


def resume_fingerprint(settings: TrainingSettings, bank: Any, val_pairs: EvalPairs) -> str:
    """What a ``last.pt`` must match to be resumed: the settings, the data and the training code.

    The data are the bank's and the validation pairs' arrays; the code is the source of
    ``vrgan.training`` and ``vrgan.models``. A killed run followed by a cohort change or a bug fix
    therefore starts again instead of continuing the old model with the old history.
    """
    digest = hashlib.sha256(settings.fingerprint().encode())
    _array_digest(bank, digest)
    _array_digest(val_pairs, digest)
    package = Path(__file__).resolve().parents[1]
    for source in sorted([*package.joinpath("training").glob("*.py"), *package.joinpath("models").glob("*.py")]):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _rng_state(rng: np.random.Generator) -> dict[str, Any]:
    state: dict[str, Any] = {"numpy": rng.bit_generator.state, "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _restore_rng(rng: np.random.Generator, state: dict[str, Any]) -> None:
    rng.bit_generator.state = state["numpy"]
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _cpu_copy(state: dict[str, Any]) -> dict[str, Any]:
    """A state dict whose tensors are CPU copies, unaffected by further training steps."""
    return {key: value.detach().to("cpu", copy=True) if torch.is_tensor(value) else value for key, value in state.items()}


def _mean_logs(logs: list[dict[str, torch.Tensor]]) -> dict[str, float]:
    if not logs:
        return {}
    return {key: float(torch.stack([entry[key].float() for entry in logs]).mean()) for key in logs[0]}


@dataclass(frozen=True)
class _Progress:
    """Where a run stands after an epoch: what ``last.pt`` stores besides the networks and RNGs."""

    epoch: int = 0
    best_ncc: float = -np.inf
    best_epoch: int = -1
    stale: int = 0
    best: dict[str, Any] | None = None  # the content of best.pt
    history: tuple[dict[str, Any], ...] = ()

    def as_state(self) -> dict[str, Any]:
        return {
            "history": list(self.history),
            "epoch": self.epoch,
            "best_ncc": self.best_ncc,
            "best_epoch": self.best_epoch,
            "stale": self.stale,
            "best": self.best,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> _Progress:
        return cls(
            state["epoch"], state["best_ncc"], state["best_epoch"], state["stale"], state.get("best"),
            tuple(state["history"]),
        )  # fmt: skip


def _check_inputs(settings: TrainingSettings, bank: ImageBank | PairBank, val_pairs: EvalPairs) -> None:
    """Refuse a run without validation pairs, or with a bank that does not fit the method."""
    if len(val_pairs) == 0:
        raise ValueError(
            "no validation pairs: the checkpoint is chosen by validation NCC (for x-rays: the "
            "validation split has no subject with both an exam with and one without COPD; raise "
            "cohort.split.validation_fraction or use a larger export)"
        )
    if (settings.method == "supervised") != isinstance(bank, PairBank):
        needed = "a PairBank" if settings.method == "supervised" else "an ImageBank"
        raise TypeError(f"method {settings.method!r} trains on {needed}, got {type(bank).__name__}")


def _resume(
    last_path: Path, best_path: Path, fingerprint: str, method: GANMethod, rng: np.random.Generator, device: torch.device
) -> _Progress | None:
    """Load ``last.pt`` into the run's own ``method`` and ``rng`` if it belongs to this run.

    Returns where the run stood, or None (no ``last.pt``, or one of other settings, data or code).
    Writes ``best.pt`` again from ``last.pt`` when it is missing.
    """
    if not last_path.exists():
        return None
    state = torch.load(last_path, map_location=device, weights_only=True)
    if state.get("fingerprint") != fingerprint:
        log.warning(
            "ignoring %s: it was written with other settings, data or training code; starting from scratch", last_path
        )
        return None
    method.load_state_dict(state["method"])
    _restore_rng(rng, state["rng"])
    progress = _Progress.from_state(state)
    log.info(
        "resuming from %s at epoch %d (best so far %.4f at epoch %d)",
        last_path, progress.epoch, progress.best_ncc, progress.best_epoch,
    )  # fmt: skip
    if progress.best is not None and not best_path.exists():
        save_checkpoint(progress.best, best_path)
        log.info("wrote %s again from %s (epoch %d)", best_path, last_path, progress.best_epoch)
    return progress


def _best_payload(settings: TrainingSettings, method: GANMethod, epoch: int, value: float) -> dict[str, Any]:
    """The content of ``best.pt``: settings, the evaluation generator and every network, CPU copies."""
    return {
        "settings": settings.as_dict(),
        "generator": _cpu_copy(method.eval_generator.state_dict()),
        "networks": {name: _cpu_copy(m.state_dict()) for name, m in method.modules().items()},
        "epoch": epoch,
        "val_ncc": value,
    }


def _after_epoch(
    progress: _Progress,
    value: float,
    logs: list[dict[str, torch.Tensor]],
    seconds: float,
    method: GANMethod,
    settings: TrainingSettings,
) -> tuple[_Progress, bool]:
    """The run's standing after scoring ``progress.epoch`` at validation NCC ``value``; whether
    its generator is now the one kept (a better validation NCC, or every epoch for ``checkpoint: last``)."""
    improved = settings.checkpoint == "last" or bool(np.isfinite(value) and value > progress.best_ncc)
    row = {"epoch": progress.epoch, "iterations": method.steps, "seconds": round(seconds, 2), **_mean_logs(logs)}
    row.update({"val_ncc": value, "best": improved})
    history = (*progress.history, row)
    if improved:
        best = _best_payload(settings, method, progress.epoch, value)
        return replace(progress, best_ncc=value, best_epoch=progress.epoch, stale=0, best=best, history=history), True
    stale = progress.stale + 1 if progress.epoch > 0 else progress.stale
    return replace(progress, stale=stale, history=history), False


def _run_epoch(
    method: GANMethod,
    bank: ImageBank | PairBank,
    rng: np.random.Generator,
    settings: TrainingSettings,
    epoch: int,
    progress: bool,
) -> list[dict[str, torch.Tensor]]:
    """One epoch of the game (epoch 0: R's or the critic's warm-up); the step logs."""
    method.train(True)
    if epoch == 0:
        steps = tqdm(range(method.warmup_iterations()), desc="R warm-up", disable=not progress, leave=False)
        return [method.warmup_step(bank, rng) for _ in steps]
    logs = []
    for _ in tqdm(
        range(settings.steps_per_epoch),
        desc=f"{settings.method} seed {settings.seed} epoch {epoch}/{settings.max_epochs}",
        disable=not progress,
        leave=False,
    ):
        method.schedule_learning_rates()
        logs.append(method.train_step(bank, rng))
    return logs


def train(
    settings: TrainingSettings,
    bank: ImageBank | PairBank,
    val_pairs: EvalPairs,
    out_dir: str | Path,
    progress: bool = True,
) -> TrainingResult:
    """Train ``settings.method`` on ``bank``, keeping the epoch with the best validation NCC (or
    the last epoch, ``settings.checkpoint``).

    Parameters
    ----------
    settings : TrainingSettings
        Method, seed, optimisation and model settings.
    bank : ImageBank or PairBank
        Training images and labels, or for ``supervised`` training pairs with their true maps.
        Not modified: the run samples from a shallow copy placed on the run's device.
    val_pairs : EvalPairs
        Validation pairs with ground-truth maps.
    out_dir : str or Path
        Folder for ``best.pt``, ``last.pt`` and ``history.csv``.
    progress : bool
        Show tqdm progress bars.

    Returns
    -------
    TrainingResult

    Raises
    ------
    ValueError
        If there are no validation pairs.
    TypeError
        If the bank does not fit the method (``supervised`` needs a PairBank, the others an ImageBank).
    """
    _check_inputs(settings, bank, val_pairs)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    device = resolve_device(settings.device)
    dtype = resolve_precision(settings.precision, device)
    bank = copy.copy(bank)  # the arrays are shared; only the copy's device changes
    bank.device = device
    log.info("training %s seed %d on %s (%s)", settings.method, settings.seed, device, dtype or "fp32")

    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    method = build_method(settings, device, dtype)
    last_path, best_path = out_dir / "last.pt", out_dir / "best.pt"
    fingerprint = resume_fingerprint(settings, bank, val_pairs)
    standing = _resume(last_path, best_path, fingerprint, method, rng, device)
    resumed_from = None if standing is None else standing.epoch
    if standing is None:  # epoch 0: the warm-up, then the state before the game is scored
        standing = _Progress(epoch=-1)

    while standing.epoch < 0 or (standing.epoch < settings.max_epochs and standing.stale < settings.patience):
        standing = replace(standing, epoch=standing.epoch + 1)
        start = time.perf_counter()
        logs = _run_epoch(method, bank, rng, settings, standing.epoch, progress)
        seconds = time.perf_counter() - start  # the epoch's steps, not its validation
        value = validation_ncc(method, val_pairs)
        standing, improved = _after_epoch(standing, value, logs, seconds, method, settings)
        if improved:
            save_checkpoint(standing.best, best_path)
        write_table(pd.DataFrame(list(standing.history)), out_dir / "history.csv")
        log.info("epoch %d: val NCC %.4f%s", standing.epoch, value, " (best)" if improved else "")
        state = {"fingerprint": fingerprint, "method": method.state_dict(), "rng": _rng_state(rng)}
        save_checkpoint({**state, **standing.as_state()}, last_path)

    if standing.stale >= settings.patience:
        log.info("early stop after epoch %d: no better validation NCC for %d epochs", standing.epoch, standing.stale)
    if standing.best_epoch == 0:
        log.warning("the best validation NCC is that of epoch 0: the adversarial training did not improve it")
    last_path.unlink(missing_ok=True)
    return TrainingResult(
        standing.best_epoch, float(standing.best_ncc), standing.epoch, resumed_from, pd.DataFrame(list(standing.history))
    )
