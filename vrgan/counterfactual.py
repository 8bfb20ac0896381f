"""Counterfactual validity: does x' = x + Δx really carry the desired label y'?

An independent regressor R_ind (the same ResNet-18 head as VR-GAN's R, see
``vrgan.models.ResNetHead``) is trained by plain supervised L1 regression on the real training
images only, and never takes part in any adversarial game. It then scores the counterfactual of
every test pair of every method run: ``mean |R_ind(x') - y'|`` and the Pearson correlation of
``R_ind(x')`` with ``y'``. Rows of the table:

- ``model``: a trained generator (one row per method and seed), x' = x + G(x, y', y);
- ``baseline``: a trivial map (``vrgan.evaluation.baseline_maps``: -x, the mean validation map);
- ``reference``: ``real_images``, R_ind on the real test images with their own labels (R_ind's
  own accuracy: no counterfactual can be judged more precisely than this), and one row per
  ground truth of the pairs (``target``, ``target_registration``, ``target_truth``: x' = x + that
  map, what a perfect map scores).

A VR-GAN generator plays against its own R; a high score against R_ind says its x' carries the
label for a regressor it never fooled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import torch

from vrgan.artefacts import atomic_write
from vrgan.models import ResNetHead, resolve_freeze_bn
from vrgan.training.data import ImageBank

__all__ = [
    "CounterfactualSettings",
    "Counterfactual",
    "counterfactual_entries",
    "counterfactual_summary",
    "counterfactual_table",
    "label_validity",
    "load_independent_regressor",
    "predict_labels",
    "recalibrate_batchnorm",
    "save_independent_regressor",
    "train_independent_regressor",
]

TABLE_COLUMNS = ["method", "kind", "seed", "mae", "corr", "n_pairs"]


@dataclass(frozen=True)
class CounterfactualSettings:
    """How R_ind is trained (the study's ``counterfactual`` section and ``models.regressor``).

    Attributes
    ----------
    iterations : int
        Adam steps of supervised L1 regression on random training batches.
    lr : float
        Adam learning rate (betas 0.9, 0.999: plain supervised regression).
    batch_size : int
    seed : int
        Seeds the initialisation and the batches.
    weights : str
        ``none``, ``imagenet`` or a state-dict path (``models.regressor.weights``).
    freeze_bn : bool or "auto"
        ``models.regressor.freeze_bn``.
    input_scaling : str
        ``models.regressor.input_scaling``.
    width : int
        ``models.regressor.width``: R_ind has the architecture of R.
    """

    iterations: int = 600
    lr: float = 1e-3
    batch_size: int = 20
    seed: int = 0
    weights: str = "none"
    freeze_bn: bool | str = "auto"
    input_scaling: str = "as_published"
    width: int = 64

    @classmethod
    def from_config(cls, counterfactual: dict, regressor: dict) -> "CounterfactualSettings":
        """The settings of a study's ``counterfactual`` section and its ``models.regressor``."""
        return cls(
            **counterfactual,
            weights=str(regressor["weights"]),
            freeze_bn=regressor["freeze_bn"],
            input_scaling=str(regressor["input_scaling"]),
            width=int(regressor["width"]),
        )


def train_independent_regressor(
    bank: ImageBank, settings: CounterfactualSettings, device: torch.device | str = "cpu"
) -> tuple[ResNetHead, pd.DataFrame]:
    """Train R_ind on the real training images by L1 regression of their labels.

    Adam (betas 0.9, 0.999) in fp32, as R's warm-up in VR-GAN; the output bias starts at the
    mean training label (zero weights of the last layer). Unless BatchNorm is frozen, its running statistics are then
    recomputed for the final weights (:func:`recalibrate_batchnorm`).

    Parameters
    ----------
    bank : ImageBank
        The training images and labels (with the study's random crop, if any).
    settings : CounterfactualSettings
    device : torch.device or str

    Returns
    -------
    regressor : ResNetHead
        In eval mode.
    history : DataFrame
        Columns ``iteration, loss, seconds``: the mean training L1 over the last block of steps
        (about 20 blocks per run).
    """
    device = torch.device(device)
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    bank.device = device
    freeze = resolve_freeze_bn(settings.freeze_bn, settings.weights)
    regressor = ResNetHead(settings.weights, freeze_bn=freeze, input_scaling=settings.input_scaling, width=settings.width)
    # The output starts at the mean training label (zero weights, bias = the mean): a random head
    # starts far off (L1 near 1) and spends its first hundreds of steps coming back.
    with torch.no_grad():
        regressor.net.fc.bias.fill_(float(np.mean(bank.y)))
        regressor.net.fc.weight.zero_()
    regressor = regressor.to(device).train(True)
    optimizer = torch.optim.Adam(regressor.parameters(), lr=settings.lr)
    block = max(1, settings.iterations // 20)
    rows, losses, start = [], [], time.perf_counter()
    for step in range(1, settings.iterations + 1):
        x, y = bank.sample(rng, settings.batch_size)
        loss = (regressor(x).float() - y).abs().mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        if step % block == 0 or step == settings.iterations:
            rows.append({"iteration": step, "loss": float(np.mean(losses)), "seconds": time.perf_counter() - start})
            losses = []
    if not freeze:
        recalibrate_batchnorm(regressor, bank, rng, settings.batch_size)
    return regressor.eval(), pd.DataFrame(rows, columns=["iteration", "loss", "seconds"])


@torch.no_grad()
def recalibrate_batchnorm(
    regressor: torch.nn.Module, bank: ImageBank, rng: np.random.Generator, batch_size: int, batches: int = 20
) -> None:
    """Set every BatchNorm's running statistics to their average over ``batches`` training batches
    of the final weights (in place).

    R_ind is used in eval mode; running statistics updated with momentum 0.1 during a short run
    lag the weights so much that eval-mode predictions are worse than those of the untrained net.
    """
    layers = [m for m in regressor.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in layers]
    for layer in layers:
        layer.reset_running_stats()
        layer.momentum = None  # cumulative average
    regressor.train(True)
    for _ in range(batches):
        regressor(bank.sample(rng, batch_size)[0])
    for layer, momentum in zip(layers, momenta):
        layer.momentum = momentum


def save_independent_regressor(regressor: ResNetHead, settings: CounterfactualSettings, path: str | Path) -> None:
    """Write R_ind's weights and settings (atomically)."""
    with atomic_write(path) as tmp:
        torch.save({"regressor": regressor.state_dict(), "settings": asdict(settings)}, tmp)


def load_independent_regressor(path: str | Path, device: torch.device | str = "cpu") -> ResNetHead:
    """R_ind as :func:`save_independent_regressor` wrote it, in eval mode.

    Raises
    ------
    ValueError
        If the file is not such a checkpoint.
    """
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or "regressor" not in state or "settings" not in state:
        raise ValueError(f"{path} is not an independent-regressor checkpoint (keys: regressor, settings)")
    settings = CounterfactualSettings(**state["settings"])
    freeze = resolve_freeze_bn(settings.freeze_bn, settings.weights)
    regressor = ResNetHead("none", freeze_bn=freeze, input_scaling=settings.input_scaling, width=settings.width)
    regressor.load_state_dict(state["regressor"])
    return regressor.to(device).eval()


@torch.no_grad()
def predict_labels(
    regressor: torch.nn.Module, images: np.ndarray, device: torch.device | str = "cpu", batch_size: int = 100
) -> np.ndarray:
    """R(image) for every image, in eval mode.

    Parameters
    ----------
    images : ndarray of shape (M, H, W)
        Images in the model's range.

    Returns
    -------
    ndarray of shape (M,), float64
    """
    regressor.eval()
    out = np.empty(images.shape[0], dtype=np.float64)
    for start in range(0, images.shape[0], batch_size):
        batch = torch.from_numpy(np.ascontiguousarray(images[start : start + batch_size], dtype=np.float32)[:, None])
        out[start : start + batch_size] = regressor(batch.to(device)).float().cpu().numpy()
    return out


def label_validity(predicted: np.ndarray, wanted: np.ndarray) -> dict[str, float]:
    """Mean absolute error and Pearson correlation of predicted labels with the wanted ones.

    The correlation is NaN when either side is constant (or with fewer than 2 values).

    Examples
    --------
    >>> scores = label_validity(np.array([0.5, 0.7, 0.9]), np.array([0.4, 0.6, 0.8]))
    >>> round(scores["mae"], 6), round(scores["corr"], 6), scores["n_pairs"]
    (0.1, 1.0, 3)
    """
    predicted, wanted = np.asarray(predicted, np.float64), np.asarray(wanted, np.float64)
    if predicted.shape != wanted.shape or predicted.ndim != 1:
        raise ValueError(f"predicted and wanted must be two (M,) arrays, got {predicted.shape} and {wanted.shape}")
    mae = float(np.abs(predicted - wanted).mean()) if predicted.size else float("nan")
    corr = float("nan")
    if predicted.size > 1 and predicted.std() > 0 and wanted.std() > 0:
        corr = float(np.corrcoef(predicted, wanted)[0, 1])
    return {"mae": mae, "corr": corr, "n_pairs": int(predicted.size)}


class Counterfactual(NamedTuple):
    """Images to score and the label each should carry, for one row of the table."""

    method: str
    kind: str  # model, baseline or reference
    seed: int | None
    images: np.ndarray  # (M, H, W)
    wanted: np.ndarray  # (M,)


def counterfactual_entries(
    pairs: Mapping[str, np.ndarray],
    run_maps: Mapping[tuple[str, int], np.ndarray],
    baseline_maps: Mapping[str, np.ndarray],
) -> list[Counterfactual]:
    """The rows to score for one study's test pairs.

    Parameters
    ----------
    pairs : mapping
        The test pairs: ``x`` (M, H, W), ``y``, ``y_prime`` (M,), ground truths ``target*``
        (M, H, W), and, on x-rays, the real COPD image ``x_prime`` (M, H, W).
    run_maps : mapping of (method, seed) to ndarray of shape (M, H, W)
        Each run's Δx of the test pairs.
    baseline_maps : mapping of str to ndarray of shape (M, H, W)
        The trivial maps (``vrgan.evaluation.baseline_maps``).

    Returns
    -------
    list of Counterfactual
        ``real_images`` (x with y, and x' with y' where the pairs hold the real x'), one
        reference per ground truth (named as its key), the baselines, then the runs.
    """
    x, y, y_prime = pairs["x"], pairs["y"], pairs["y_prime"]
    real_images, real_labels = [x], [y]
    if "x_prime" in pairs:
        real_images.append(pairs["x_prime"])
        real_labels.append(y_prime)
    entries = [Counterfactual("real_images", "reference", None, np.concatenate(real_images), np.concatenate(real_labels))]
    for key in sorted(k for k in pairs if k.startswith("target")):
        entries.append(Counterfactual(key, "reference", None, x + pairs[key], y_prime))
    entries += [Counterfactual(name, "baseline", None, x + delta, y_prime) for name, delta in baseline_maps.items()]
    entries += [Counterfactual(m, "model", int(s), x + delta, y_prime) for (m, s), delta in run_maps.items()]
    return entries


def counterfactual_table(predict: Callable[[np.ndarray], np.ndarray], entries: Iterable[Counterfactual]) -> pd.DataFrame:
    """Score every entry with ``predict`` (R_ind: images (M, H, W) -> labels (M,)).

    Returns
    -------
    DataFrame with columns ``method, kind, seed, mae, corr, n_pairs``.
    """
    rows = [
        {"method": e.method, "kind": e.kind, "seed": e.seed} | label_validity(predict(e.images), e.wanted)
        for e in entries
    ]
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    table["seed"] = table["seed"].astype("Int64")
    return table


def counterfactual_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and sample standard deviation (ddof=1) of mae and corr over seeds, per method.

    Returns
    -------
    DataFrame with columns ``method, kind, n_seeds, mae_mean, mae_std, corr_mean, corr_std``
    (std NaN for a single row: the references, the baselines, a one-seed run).
    """
    rows: list[dict[str, Any]] = []
    for (method, kind), group in table.groupby(["method", "kind"], sort=False):
        row = {"method": method, "kind": kind, "n_seeds": int(group["seed"].notna().sum())}
        for column in ("mae", "corr"):
            values = group[column].to_numpy(np.float64)
            row[f"{column}_mean"] = float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
            row[f"{column}_std"] = float(np.nanstd(values, ddof=1)) if np.isfinite(values).sum() > 1 else float("nan")
        rows.append(row)
    return pd.DataFrame(rows, columns=["method", "kind", "n_seeds", "mae_mean", "mae_std", "corr_mean", "corr_std"])
