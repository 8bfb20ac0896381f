"""One optimisation step of VR-GAN and of the VA-GAN baseline.

VR-GAN (paper eq. 2-6), per iteration, on a batch (x, y) and desired labels y' drawn from the
training labels independently of x:

1. G makes Δx = G(x, y', y).
2. R step: ``λRx |R(x) - y| + λRx' |R(x + Δx) - y|`` with Δx detached.
3. G step: ``λGx' |R(x + Δx) - y'| + λREG |Δx|``, with R(x + Δx) recomputed by the updated R (the
   2019 code reused the value from before the R step, which newer PyTorch rejects).

VA-GAN (Baumgartner et al. 2018, as the VR-GAN authors ran it): the same U-Net without conditions
maps source-class images (y >= threshold) to x' = x + Δx; a ResNet-18 critic learns the
Wasserstein distance between x' and real target-class images (y < threshold) with a gradient
penalty on random interpolates of the two; G minimises ``-critic(x') + λ |Δx|``.

Supervised ceiling (not in the paper): the same conditional U-Net G(x, y', y), the same optimiser
and loop, no R; G minimises ``mean (G(x, y', y) - Δx_true)²`` on training pairs whose true map
is known (``vrgan.training.pairs``). What this architecture reaches when it is told the answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from vrgan.models import ResNetHead, UNetGenerator, condition_planes, resolve_freeze_bn
from vrgan.training.data import ImageBank
from vrgan.training.device import autocast
from vrgan.training.pairs import PairBank
from vrgan.training.settings import TrainingSettings

__all__ = ["GANMethod", "Supervised", "VAGAN", "VRGAN", "build_method"]


class GANMethod:
    """Networks, optimisers and step counters of one method; subclasses define the steps."""

    conditional: bool = True

    def __init__(self, settings: TrainingSettings, device: torch.device, dtype: torch.dtype | None) -> None:
        self.settings = settings
        self.device = device
        self.dtype = dtype
        self.generator = UNetGenerator(
            settings.generator.base_channels,
            settings.generator.depth,
            3 if self.conditional else 0,
            settings.generator.bn_momentum,
        ).to(device)
        self.opt_generator = self._adam(self.generator.parameters())
        # An exponential moving average of G (weights and BatchNorm statistics) smooths the
        # step-to-step jitter of an adversarial game; it is what validation and evaluation see.
        self.generator_ema = (
            AveragedModel(self.generator, multi_avg_fn=get_ema_multi_avg_fn(settings.generator_ema), use_buffers=True)
            if settings.generator_ema > 0
            else None
        )
        self.steps = 0

    def _adam(self, params, lr: float | None = None, betas: tuple[float, float] | None = None):
        # The fused kernel updates every parameter in one pass: the same Adam, about 15 % less time
        # per iteration for the demo's small networks on a CPU (method-notes: 0.81-0.86x).
        return torch.optim.Adam(params, lr=lr or self.settings.lr, betas=betas or self.settings.betas, fused=True)

    @property
    def eval_generator(self) -> nn.Module:
        """The generator that validation, checkpoints and evaluation use (the average, if kept)."""
        return self.generator if self.generator_ema is None else self.generator_ema.module

    def schedule_learning_rates(self) -> None:
        """Set the game optimisers' learning rates for the coming step (``settings.lr_schedule``)."""
        factor = self.settings.lr_factor(self.steps)
        for name, optimizer in self.optimizers().items():
            if name == "warmup":
                continue
            for group in optimizer.param_groups:
                group["lr"] = group.setdefault("initial_lr", group["lr"]) * factor

    def generator_stepped(self) -> None:
        """Book-keeping after each generator update: the step count and the moving average."""
        if self.generator_ema is not None:
            self.generator_ema.update_parameters(self.generator)
        self.steps += 1

    def _autocast(self):
        return autocast(self.device, self.dtype)

    def conditions(self, y_prime: torch.Tensor, y: torch.Tensor) -> torch.Tensor | None:
        """Conditioning values for the generator (None for an unconditional generator)."""
        return condition_planes(y_prime, y).to(self.device) if self.conditional else None

    def modules(self) -> dict[str, nn.Module]:
        raise NotImplementedError

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        raise NotImplementedError

    def train(self, mode: bool = True) -> None:
        for module in self.modules().values():
            module.train(mode)

    def warmup_step(self, bank: ImageBank, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        """A pre-training step before the adversarial game (none by default)."""
        return {}

    def warmup_iterations(self) -> int:
        return 0

    def train_step(self, bank: ImageBank, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        state = {f"model.{name}": module.state_dict() for name, module in self.modules().items()}
        state.update({f"optim.{name}": opt.state_dict() for name, opt in self.optimizers().items()})
        if self.generator_ema is not None:
            state["generator_ema"] = self.generator_ema.state_dict()
        state["steps"] = self.steps
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for name, module in self.modules().items():
            module.load_state_dict(state[f"model.{name}"])
        for name, opt in self.optimizers().items():
            opt.load_state_dict(state[f"optim.{name}"])
        if self.generator_ema is not None:
            self.generator_ema.load_state_dict(state["generator_ema"])
        self.steps = int(state["steps"])


def _l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a.float() - b.float()).abs().mean()


class VRGAN(GANMethod):
    """VR-GAN: a U-Net generator against a ResNet-18 regressor R."""

    conditional = True

    def __init__(self, settings: TrainingSettings, device: torch.device, dtype: torch.dtype | None) -> None:
        super().__init__(settings, device, dtype)
        freeze = resolve_freeze_bn(settings.freeze_bn, settings.regressor_weights)
        self.regressor = ResNetHead(
            settings.regressor_weights,
            freeze_bn=freeze,
            input_scaling=settings.regressor_input_scaling,
            width=settings.regressor_width,
        ).to(device)
        self.opt_regressor = self._adam(self.regressor.parameters(), lr=settings.lr_discriminator)
        # R's warm-up is plain supervised regression: Adam with its usual betas.
        self.opt_warmup = self._adam(
            self.regressor.parameters(), lr=settings.vrgan.regressor_warmup_lr, betas=(0.9, 0.999)
        )

    def modules(self) -> dict[str, nn.Module]:
        return {"generator": self.generator, "regressor": self.regressor}

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"generator": self.opt_generator, "regressor": self.opt_regressor, "warmup": self.opt_warmup}

    def warmup_iterations(self) -> int:
        return self.settings.vrgan.regressor_warmup_iterations

    def warmup_step(self, bank: ImageBank, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        x, y = bank.sample(rng, self.settings.batch_size)
        with self._autocast():
            loss = _l1(self.regressor(x), y)
        self.opt_warmup.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_warmup.step()
        return {"loss_rx": loss.detach()}

    def train_step(self, bank: ImageBank, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        lam = self.settings.vrgan
        x, y = bank.sample(rng, self.settings.batch_size)
        y_prime = bank.sample_labels(rng, self.settings.batch_size)
        with self._autocast():
            delta = self.generator(x, self.conditions(y_prime, y)).float()

        # R step: regress y on x and, adversarially, the original y on x' (Δx detached).
        self.regressor.requires_grad_(True)
        with self._autocast():
            loss_rx = _l1(self.regressor(x), y)
            loss_rxp = _l1(self.regressor(x + delta.detach()), y)
        loss_r = lam.lambda_rx * loss_rx + lam.lambda_rxp * loss_rxp
        self.opt_regressor.zero_grad(set_to_none=True)
        loss_r.backward()
        self.opt_regressor.step()

        # G step: make the updated R output y' on x', with an L1 penalty on Δx.
        self.regressor.requires_grad_(False)
        with self._autocast():
            loss_gx = _l1(self.regressor(x + delta), y_prime)
        loss_reg = delta.abs().mean()
        loss_g = lam.lambda_gx * loss_gx + lam.lambda_reg * loss_reg
        self.opt_generator.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_generator.step()
        self.regressor.requires_grad_(True)
        self.generator_stepped()
        return {
            "loss_rx": loss_rx.detach(),
            "loss_rxp": loss_rxp.detach(),
            "loss_gx": loss_gx.detach(),
            "loss_reg": loss_reg.detach(),
        }


class VAGAN(GANMethod):
    """VA-GAN baseline: the same U-Net (unconditional) against a WGAN-GP ResNet-18 critic."""

    conditional = False

    def __init__(self, settings: TrainingSettings, device: torch.device, dtype: torch.dtype | None) -> None:
        super().__init__(settings, device, dtype)
        # The gradient penalty needs a per-sample critic: BatchNorm statistics are frozen in the
        # game; only a warm-up (standing in for pre-training) updates them first.
        self.critic = ResNetHead(
            settings.regressor_weights,
            freeze_bn=self.warmup_iterations() == 0,
            input_scaling=settings.regressor_input_scaling,
            width=settings.regressor_width,
        ).to(device)
        self.opt_critic = self._adam(self.critic.parameters(), lr=settings.lr_discriminator)
        self.opt_warmup = self._adam(
            self.critic.parameters(), lr=settings.vagan.critic_warmup_lr, betas=(0.9, 0.999)
        )

    def modules(self) -> dict[str, nn.Module]:
        return {"generator": self.generator, "critic": self.critic}

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"generator": self.opt_generator, "critic": self.opt_critic, "warmup": self.opt_warmup}

    def warmup_iterations(self) -> int:
        return self.settings.vagan.critic_warmup_iterations

    def warmup_step(self, bank: ImageBank, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        """The critic's ResNet as a plain regressor of y (BatchNorm statistics updated)."""
        x, y = bank.sample(rng, self.settings.batch_size)
        with self._autocast():
            loss = _l1(self.critic(x), y)
        self.opt_warmup.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_warmup.step()
        return {"loss_warmup": loss.detach()}

    def _freeze_critic_bn(self) -> None:
        if not self.critic.freeze_bn:
            self.critic.freeze_bn = True
            self.critic.train(self.critic.training)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self._freeze_critic_bn()  # a saved state is always past the warm-up

    def critic_steps_now(self) -> int:
        """Critic steps before the next generator step (VA-GAN's schedule)."""
        s = self.settings.vagan
        boosted = self.steps < s.boost_first_generator_steps or (self.steps > 0 and self.steps % s.boost_every == 0)
        return s.critic_steps_boost if boosted else s.critic_steps

    def critic_step(self, bank: ImageBank, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        """One critic update on a source-class and a target-class batch."""
        b = self.settings.batch_size
        source, _ = bank.sample(rng, b, "healthy")
        real, _ = bank.sample(rng, b, "disease")
        with torch.no_grad(), self._autocast():
            fake = source + self.generator(source).float()
        eps = torch.rand(b, 1, 1, 1, device=self.device)
        interp = (eps * real + (1.0 - eps) * fake).requires_grad_(True)
        with self._autocast():
            d_real = self.critic(real).float().mean()
            d_fake = self.critic(fake).float().mean()
            d_interp = self.critic(interp).float()
        (grad,) = torch.autograd.grad(d_interp.sum(), interp, create_graph=True)
        penalty = ((grad.float().flatten(1).norm(dim=1) - 1.0) ** 2).mean()
        loss = d_fake - d_real + self.settings.vagan.gradient_penalty * penalty
        self.opt_critic.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_critic.step()
        return {"loss_critic": loss.detach(), "wasserstein": (d_real - d_fake).detach(), "penalty": penalty.detach()}

    def train_step(self, bank: ImageBank, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        self._freeze_critic_bn()
        self.critic.requires_grad_(True)
        critic_logs = [self.critic_step(bank, rng) for _ in range(self.critic_steps_now())]
        self.critic.requires_grad_(False)
        source, _ = bank.sample(rng, self.settings.batch_size, "healthy")
        with self._autocast():
            delta = self.generator(source).float()
            d_fake = self.critic(source + delta).float().mean()
        loss_map = delta.abs().mean()
        loss_g = -d_fake + self.settings.vagan.lambda_map * loss_map
        self.opt_generator.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_generator.step()
        self.critic.requires_grad_(True)
        self.generator_stepped()
        logs = {key: torch.stack([log[key] for log in critic_logs]).mean() for key in critic_logs[0]}
        logs.update({"loss_g_adv": -d_fake.detach(), "loss_map": loss_map.detach()})
        return logs


class Supervised(GANMethod):
    """The supervised ceiling: VR-GAN's conditional U-Net regressing the true Δx directly.

    The loss is the mean squared error. Its minimiser is the conditional mean of Δx_true given
    (x, y', y), which is what a correlation score such as the NCC rewards; an L1 loss targets the
    conditional median, which pushes every pixel whose change is uncertain (most of a sparse
    map: the toy ring's edges, the x-ray's lung borders) to exactly zero. The step is otherwise
    VR-GAN's G step: same optimiser (``lr``, ``betas``), batch and conditions.
    """

    conditional = True

    def modules(self) -> dict[str, nn.Module]:
        return {"generator": self.generator}

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"generator": self.opt_generator}

    def train_step(self, bank: PairBank, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        x, y, y_prime, target = bank.sample_pairs(rng, self.settings.batch_size)
        with self._autocast():
            delta = self.generator(x, self.conditions(y_prime, y)).float()
        loss = (delta - target.float()).pow(2).mean()
        self.opt_generator.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_generator.step()
        self.generator_stepped()
        return {"loss_supervised": loss.detach(), "loss_l1": (delta.detach() - target).abs().mean()}


def build_method(settings: TrainingSettings, device: torch.device, dtype: torch.dtype | None) -> GANMethod:
    """The method object for ``settings.method`` (networks initialised from the global torch seed)."""
    return {"vrgan": VRGAN, "vagan": VAGAN, "supervised": Supervised}[settings.method](settings, device, dtype)
