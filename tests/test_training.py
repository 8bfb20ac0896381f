"""VR-GAN, VA-GAN and supervised steps, the training loop, checkpoints and resume."""

import numpy as np
import pandas as pd
import pytest
import torch

from vrgan.toy import half_side, make_toy_dataset, make_toy_pairs, render_squares
from vrgan.training import (
    EvalPairs,
    GeneratorSettings,
    ImageBank,
    CleanPairBank,
    PairBank,
    TruthPairBank,
    TrainingSettings,
    VAGANSettings,
    VRGANSettings,
    build_method,
    load_generator,
    predict_maps,
    train,
)


def toy_pair_bank(images, y):
    return CleanPairBank(images, render_squares(y, images.shape[-1]), y)
from vrgan.training import loop as loop_module

SIZE = 16


def tiny_settings(method="vrgan", **overrides):
    values = dict(
        method=method,
        seed=0,
        batch_size=4,
        lr=1e-3,
        iterations_per_epoch=2,
        max_epochs=3,
        patience=10,
        device="cpu",
        precision="fp32",
        eval_batch_size=16,
        generator=GeneratorSettings(4, 2, 0.1),
        vrgan=VRGANSettings(regressor_warmup_iterations=2),
        vagan=VAGANSettings(critic_steps=2, critic_steps_boost=3, boost_first_generator_steps=1, boost_every=5),
    )
    values.update(overrides)
    return TrainingSettings(**values)


@pytest.fixture(scope="module")
def toy():
    data = make_toy_dataset(40, SIZE, 1)
    val = make_toy_pairs(make_toy_dataset(24, SIZE, 2), 3)
    return ImageBank(data.images, data.y), EvalPairs(val.x, val.y, val.y_prime, val.target)


class FixedBank(ImageBank):
    """Always the same batch, so a step's effect on the loss can be measured."""

    def __init__(self, x, y, y_prime):
        super().__init__(x[:, 0].numpy(), y.numpy())
        self.x, self.y_t, self.y_prime = x, y, y_prime

    def sample(self, rng, n, subset="all"):
        return self.x, self.y_t

    def sample_labels(self, rng, n):
        return self.y_prime


def _fixed_vrgan(**vrgan):
    torch.manual_seed(0)
    data = make_toy_dataset(8, SIZE, 0)
    x, y = torch.from_numpy(data.images[:, None]), torch.from_numpy(data.y)
    bank = FixedBank(x, y, torch.flip(y, [0]))
    settings = tiny_settings(batch_size=8, lr=1e-5, freeze_bn=True, vrgan=VRGANSettings(**vrgan))
    method = build_method(settings, torch.device("cpu"), None)
    method.train(True)  # batch statistics in G, frozen ones in R: same batch, same forward pass
    return method, bank, x, y


def test_a_vrgan_regressor_step_lowers_its_loss_on_a_fixed_batch():
    method, bank, x, y = _fixed_vrgan(lambda_gx=0.0, lambda_reg=0.0)

    def loss_r():
        with torch.no_grad():
            delta = method.generator(x, method.conditions(bank.y_prime, y))
            return (method.regressor(x) - y).abs().mean() + 0.3 * (method.regressor(x + delta) - y).abs().mean()

    before = loss_r()
    method.train_step(bank, np.random.default_rng(0))
    assert loss_r() < before


def test_a_vrgan_generator_step_lowers_its_loss_on_a_fixed_batch():
    method, bank, x, y = _fixed_vrgan(lambda_rx=0.0, lambda_rxp=0.0)
    regressor_before = [p.clone() for p in method.regressor.parameters()]

    def loss_g():
        with torch.no_grad():
            delta = method.generator(x, method.conditions(bank.y_prime, y))
            return 0.3 * (method.regressor(x + delta) - bank.y_prime).abs().mean() + 0.03 * delta.abs().mean()

    before = loss_g()
    method.train_step(bank, np.random.default_rng(0))
    assert loss_g() < before
    for p, q in zip(method.regressor.parameters(), regressor_before):
        torch.testing.assert_close(p, q)  # zero R loss: the R step changed nothing


def test_vrgan_generator_step_leaves_the_regressor_alone():
    data = make_toy_dataset(8, SIZE, 0)
    bank = FixedBank(torch.from_numpy(data.images[:, None]), torch.from_numpy(data.y), torch.from_numpy(data.y))
    method = build_method(tiny_settings(), torch.device("cpu"), None)
    method.train_step(bank, np.random.default_rng(0))
    assert all(p.requires_grad for p in method.regressor.parameters())  # restored after the G step


def test_vagan_schedule_boosts_the_first_and_every_nth_generator_step():
    method = build_method(tiny_settings("vagan"), torch.device("cpu"), None)
    schedule = []
    for step in range(11):
        method.steps = step
        schedule.append(method.critic_steps_now())
    assert schedule == [3, 2, 2, 2, 2, 3, 2, 2, 2, 2, 3]


def test_vagan_critic_step_separates_the_classes(toy):
    bank, _ = toy
    torch.manual_seed(0)
    method = build_method(tiny_settings("vagan", lr=1e-3), torch.device("cpu"), None)
    rng = np.random.default_rng(0)
    logs = [method.critic_step(bank, rng) for _ in range(6)]
    assert all(torch.isfinite(entry["loss_critic"]) for entry in logs)
    assert logs[-1]["penalty"] >= 0


class FixedPairs(PairBank):
    """Always the same pairs, so a step's effect on the loss can be measured."""

    def __init__(self, *batch):
        self.batch = batch

    def sample_pairs(self, rng, n):
        return self.batch


def test_a_supervised_step_lowers_its_loss_on_a_fixed_batch():
    torch.manual_seed(0)
    data = make_toy_dataset(8, SIZE, 0)
    y, y_prime = torch.from_numpy(data.y), torch.from_numpy(np.roll(data.y, 1))
    target = torch.from_numpy(render_squares(y_prime.numpy(), SIZE) - data.clean)[:, None]
    x = torch.from_numpy(data.images[:, None])
    bank = FixedPairs(x, y, y_prime, target)
    method = build_method(tiny_settings("supervised", batch_size=8), torch.device("cpu"), None)
    assert set(method.modules()) == {"generator"}  # no R

    def loss():
        with torch.no_grad():
            return (method.generator(x, method.conditions(y_prime, y)) - target).pow(2).mean()

    method.train(True)
    before = loss()
    logs = [method.train_step(bank, np.random.default_rng(0)) for _ in range(3)]
    assert loss() < before and logs[-1]["loss_supervised"] < logs[0]["loss_supervised"]


def test_toy_pairs_are_rendered_from_the_labels_and_never_empty():
    data = make_toy_dataset(40, SIZE, 0)
    bank = toy_pair_bank(data.images, data.y)
    x, y, y_prime, target = bank.sample_pairs(np.random.default_rng(0), 64)
    assert x.shape == target.shape == (64, 1, SIZE, SIZE) and y.shape == y_prime.shape == (64,)
    np.testing.assert_array_equal(target[:, 0].numpy(), render_squares(y_prime.numpy(), SIZE) - render_squares(y.numpy(), SIZE))
    assert set(np.round(y_prime.numpy(), 2)) <= set(np.round(data.y, 2))  # y' from the training labels
    assert (half_side(y_prime.numpy(), SIZE) != half_side(y.numpy(), SIZE)).all()
    rows = [np.flatnonzero((data.images == image).all(axis=(1, 2)))[0] for image in x[:, 0].numpy()]
    np.testing.assert_array_equal(data.y[rows], y.numpy())  # each image comes with its own label


def test_truth_pairs_crop_x_and_its_map_with_one_box():
    x = np.arange(2 * 6 * 6, dtype=np.float32).reshape(2, 6, 6)
    bank = TruthPairBank(x, np.array([0.8, 0.5]), np.array([0.5, 0.8]), -x, crop=4)
    xb, y, y_prime, target = bank.sample_pairs(np.random.default_rng(1), 16)
    assert xb.shape == target.shape == (16, 1, 4, 4)
    torch.testing.assert_close(target, -xb)  # the same box on both
    assert len({tuple(b.flatten()[:1].tolist()) for b in xb}) > 1  # several boxes and pairs drawn
    np.testing.assert_array_equal(y.numpy() == np.float32(0.8), xb[:, 0, 0, 0].numpy() < 36)  # labels follow x
    with pytest.raises(ValueError, match="crop 8 is larger"):
        TruthPairBank(x, np.array([0.8, 0.5]), np.array([0.5, 0.8]), -x, crop=8)


def test_a_supervised_run_needs_a_pair_bank(tmp_path, toy):
    bank, val = toy
    with pytest.raises(TypeError, match="'supervised' trains on a PairBank"):
        train(tiny_settings("supervised"), bank, val, tmp_path, progress=False)
    with pytest.raises(TypeError, match="'vrgan' trains on an ImageBank"):
        train(tiny_settings("vrgan"), toy_pair_bank(bank.images, bank.y), val, tmp_path, progress=False)


@pytest.mark.parametrize("method", ["vrgan", "vagan", "supervised"])
def test_training_writes_best_checkpoint_and_history(tmp_path, toy, method):
    bank, val = toy
    if method == "supervised":
        bank = toy_pair_bank(bank.images, bank.y)
    result = train(tiny_settings(method), bank, val, tmp_path, progress=False)
    history = pd.read_csv(tmp_path / "history.csv")
    assert history["epoch"].tolist() == [0, 1, 2, 3]
    assert np.isfinite(history["val_ncc"]).all()
    assert (tmp_path / "best.pt").exists() and not (tmp_path / "last.pt").exists()
    generator, settings = load_generator(tmp_path / "best.pt")
    assert settings.method == method and result.best_epoch == int(history.loc[history["best"], "epoch"].iloc[-1])
    maps = predict_maps(generator, val.x, val.y, val.y_prime, torch.device("cpu"))
    assert maps.shape == val.x.shape


def test_early_stopping_stops_after_patience_epochs(tmp_path, toy, monkeypatch):
    bank, val = toy
    scores = iter([0.5, 0.1, 0.2, 0.3, 0.9, 0.9])
    monkeypatch.setattr(loop_module, "validation_ncc", lambda method, pairs: next(scores))
    result = train(tiny_settings(max_epochs=5, patience=3), bank, val, tmp_path, progress=False)
    assert result.epochs_run == 3 and result.best_epoch == 0


def test_a_last_checkpoint_keeps_the_last_epoch_whatever_its_validation_ncc(tmp_path, toy, monkeypatch):
    bank, val = toy
    scores = iter([0.5, 0.9, 0.1, 0.2, 0.3, 0.05])
    monkeypatch.setattr(loop_module, "validation_ncc", lambda method, pairs: next(scores))
    result = train(tiny_settings(max_epochs=5, patience=2, checkpoint="last"), bank, val, tmp_path, progress=False)
    assert result.epochs_run == 5 and result.best_epoch == 5 and result.best_val_ncc == 0.05  # no early stop
    assert result.history["best"].all()
    assert torch.load(tmp_path / "best.pt", weights_only=True)["epoch"] == 5
    with pytest.raises(ValueError, match="checkpoint must be one of"):
        tiny_settings(checkpoint="first")


def test_training_leaves_the_bank_it_is_given_as_it_was(tmp_path, toy):
    bank, val = toy
    mine = ImageBank(bank.images, bank.y, device="meta")  # a device no run uses
    train(tiny_settings(max_epochs=1), mine, val, tmp_path, progress=False)
    assert mine.device == torch.device("meta")


def test_same_seed_same_run_on_cpu(tmp_path, toy):
    bank, val = toy
    a = train(tiny_settings(), bank, val, tmp_path / "a", progress=False).history
    b = train(tiny_settings(), bank, val, tmp_path / "b", progress=False).history
    pd.testing.assert_frame_equal(a.drop(columns="seconds"), b.drop(columns="seconds"))
    c = train(tiny_settings(seed=1), bank, val, tmp_path / "c", progress=False).history
    assert not np.allclose(a["val_ncc"], c["val_ncc"])


def kill_at_step(monkeypatch, step_number):
    """Make the methods that ``train`` builds raise KeyboardInterrupt at training step ``step_number``
    (counted from 1), as a SIGKILL would stop them; returns the real ``build_method``."""
    original = loop_module.build_method

    def build_killed(*args, **kwargs):
        method = original(*args, **kwargs)
        step = method.train_step

        def maybe_die(bank, rng):
            if method.steps == step_number:
                raise KeyboardInterrupt("killed")
            return step(bank, rng)

        method.train_step = maybe_die
        return method

    monkeypatch.setattr(loop_module, "build_method", build_killed)
    return original


def test_a_killed_run_resumes_from_its_last_epoch_and_ends_identical(tmp_path, toy, monkeypatch):
    bank, val = toy
    settings = tiny_settings(max_epochs=3)
    reference = train(settings, bank, val, tmp_path / "ref", progress=False)
    reference_state = torch.load(tmp_path / "ref" / "best.pt", weights_only=False)

    original_step = kill_at_step(monkeypatch, 2 * settings.iterations_per_epoch + 1)  # in epoch 3
    with pytest.raises(KeyboardInterrupt):
        train(settings, bank, val, tmp_path / "run", progress=False)
    assert (tmp_path / "run" / "last.pt").exists()
    for output in ("best.pt", "history.csv"):  # Snakemake deletes a job's outputs before restarting it
        (tmp_path / "run" / output).unlink()
    monkeypatch.setattr(loop_module, "build_method", original_step)
    resumed = train(settings, bank, val, tmp_path / "run", progress=False)
    assert resumed.resumed_from_epoch == 2
    pd.testing.assert_frame_equal(
        reference.history.drop(columns="seconds"), resumed.history.drop(columns="seconds")
    )
    state = torch.load(tmp_path / "run" / "best.pt", weights_only=False)
    for key, value in reference_state["generator"].items():
        torch.testing.assert_close(state["generator"][key], value)


def test_a_resumed_run_writes_best_pt_again_when_the_best_epoch_came_before_the_kill(tmp_path, toy, monkeypatch):
    bank, val = toy
    settings = tiny_settings(max_epochs=3, patience=3)
    scores = iter([0.5, 0.9, 0.1])  # epoch 1 is the best; epoch 2 is killed before it is scored
    monkeypatch.setattr(loop_module, "validation_ncc", lambda method, pairs: next(scores))
    original_step = kill_at_step(monkeypatch, settings.iterations_per_epoch + 1)  # in epoch 2
    with pytest.raises(KeyboardInterrupt):
        train(settings, bank, val, tmp_path, progress=False)
    best_before = torch.load(tmp_path / "best.pt", weights_only=False)
    (tmp_path / "best.pt").unlink()
    monkeypatch.setattr(loop_module, "build_method", original_step)
    scores = iter([0.2, 0.3])
    resumed = train(settings, bank, val, tmp_path, progress=False)
    assert resumed.resumed_from_epoch == 1 and resumed.best_epoch == 1 and resumed.epochs_run == 3
    best = torch.load(tmp_path / "best.pt", weights_only=False)
    assert best["epoch"] == 1 and best["val_ncc"] == 0.9
    for key, value in best_before["generator"].items():
        torch.testing.assert_close(best["generator"][key], value.cpu())


def test_a_stale_checkpoint_of_other_settings_is_ignored(tmp_path, toy):
    bank, val = toy
    (tmp_path / "last.pt").write_bytes(b"")
    torch.save({"fingerprint": "something else"}, tmp_path / "last.pt")
    result = train(tiny_settings(max_epochs=1), bank, val, tmp_path, progress=False)
    assert result.resumed_from_epoch is None and result.epochs_run == 1


def test_settings_round_trip_and_fingerprint():
    settings = tiny_settings()
    assert TrainingSettings.from_dict(settings.as_dict()) == settings
    assert settings.fingerprint() == tiny_settings(device="cuda").fingerprint()
    assert settings.fingerprint() != tiny_settings(lr=2e-3).fingerprint()
    with pytest.raises(ValueError, match="method"):
        tiny_settings(method="gan")
    assert settings.fingerprint() != tiny_settings(regressor_width=16).fingerprint()
    with pytest.raises(ValueError, match="width 64 only, got width 16"):
        tiny_settings(regressor_weights="imagenet", regressor_width=16)


def test_generator_ema_averages_the_weights_after_each_generator_step():
    _, bank, _, _ = _fixed_vrgan()
    method = build_method(tiny_settings(generator_ema=0.5), torch.device("cpu"), None)
    rng = np.random.default_rng(0)
    weights = []
    for _ in range(2):
        method.train_step(bank, rng)
        weights.append({k: v.detach().clone() for k, v in method.generator.state_dict().items()})
    averaged = method.eval_generator.state_dict()
    name = "out.0.weight"
    # the first update copies the weights, the next moves halfway towards the new ones
    torch.testing.assert_close(averaged[name], 0.5 * weights[0][name] + 0.5 * weights[1][name])
    assert not torch.allclose(averaged[name], weights[1][name])
    # BatchNorm statistics are averaged too
    stats = "out.1.running_mean"
    torch.testing.assert_close(averaged[stats], 0.5 * weights[0][stats] + 0.5 * weights[1][stats])


def test_the_checkpoint_holds_the_averaged_generator(tmp_path, toy, monkeypatch):
    bank, val = toy
    scores = iter([0.1, 0.2])  # epoch 1 (after generator steps) is the best
    monkeypatch.setattr(loop_module, "validation_ncc", lambda method, pairs: next(scores))
    train(tiny_settings(generator_ema=0.9, max_epochs=1), bank, val, tmp_path, progress=False)
    generator, settings = load_generator(tmp_path / "best.pt")
    assert settings.generator_ema == 0.9
    best = torch.load(tmp_path / "best.pt", weights_only=False)
    live = best["networks"]["generator"]
    assert any(not torch.allclose(best["generator"][k].float(), live[k].float()) for k in live)


def test_a_killed_run_with_an_averaged_generator_and_a_schedule_resumes_identical(tmp_path, toy, monkeypatch):
    bank, val = toy
    settings = tiny_settings(max_epochs=3, generator_ema=0.8, lr_schedule="cosine")
    reference = train(settings, bank, val, tmp_path / "ref", progress=False)
    original_step = kill_at_step(monkeypatch, 2 * settings.iterations_per_epoch + 1)
    with pytest.raises(KeyboardInterrupt):
        train(settings, bank, val, tmp_path / "run", progress=False)
    monkeypatch.setattr(loop_module, "build_method", original_step)
    resumed = train(settings, bank, val, tmp_path / "run", progress=False)
    pd.testing.assert_frame_equal(reference.history.drop(columns="seconds"), resumed.history.drop(columns="seconds"))


def test_vagan_critic_warmup_updates_batchnorm_statistics_then_freezes_them(toy):
    bank, _ = toy
    torch.manual_seed(0)
    vagan = VAGANSettings(critic_steps=1, critic_steps_boost=1, boost_first_generator_steps=0, critic_warmup_iterations=2)
    method = build_method(tiny_settings("vagan", vagan=vagan), torch.device("cpu"), None)
    assert method.warmup_iterations() == 2
    bn = method.critic.net.bn1
    method.train(True)
    before = bn.running_mean.clone()
    rng = np.random.default_rng(0)
    logs = method.warmup_step(bank, rng)
    assert "loss_warmup" in logs and not torch.allclose(bn.running_mean, before)
    after_warmup = bn.running_mean.clone()
    method.train_step(bank, rng)
    torch.testing.assert_close(bn.running_mean, after_warmup)  # frozen in the game
    assert method.critic.freeze_bn and not bn.training


def test_vagan_without_critic_warmup_freezes_batchnorm_from_the_start():
    method = build_method(tiny_settings("vagan"), torch.device("cpu"), None)
    assert method.warmup_iterations() == 0 and method.critic.freeze_bn


def test_cosine_schedule_lowers_the_game_learning_rates_to_zero_and_spares_the_warmup():
    settings = tiny_settings(lr_schedule="cosine", iterations_per_epoch=2, max_epochs=2)
    assert [settings.lr_factor(step) for step in range(5)] == pytest.approx([1.0, 0.853553, 0.5, 0.146447, 0.0], abs=1e-6)
    assert tiny_settings().lr_factor(3) == 1.0
    method = build_method(settings, torch.device("cpu"), None)
    method.steps = 2
    method.schedule_learning_rates()
    assert method.opt_generator.param_groups[0]["lr"] == pytest.approx(0.5 * settings.lr)
    assert method.opt_regressor.param_groups[0]["lr"] == pytest.approx(0.5 * (settings.lr_discriminator or settings.lr))
    assert method.opt_warmup.param_groups[0]["lr"] == settings.vrgan.regressor_warmup_lr
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        tiny_settings(lr_schedule="step")


def test_a_killed_run_does_not_resume_on_other_data(tmp_path, toy, monkeypatch):
    bank, val = toy
    settings = tiny_settings(max_epochs=3)
    original_step = kill_at_step(monkeypatch, 2 * settings.iterations_per_epoch + 1)
    with pytest.raises(KeyboardInterrupt):
        train(settings, bank, val, tmp_path, progress=False)
    monkeypatch.setattr(loop_module, "build_method", original_step)
    changed = ImageBank(bank.images + 0.01, bank.y)  # e.g. a cohort or preprocessing change
    result = train(settings, changed, val, tmp_path, progress=False)
    assert result.resumed_from_epoch is None and result.history["epoch"].tolist() == [0, 1, 2, 3]
    assert loop_module.resume_fingerprint(settings, changed, val) != loop_module.resume_fingerprint(settings, bank, val)
    assert loop_module.resume_fingerprint(settings, bank, val) == loop_module.resume_fingerprint(settings, bank, val)


def test_training_without_validation_pairs_says_so(tmp_path, toy):
    bank, val = toy
    empty = EvalPairs(val.x[:0], val.y[:0], val.y_prime[:0], val.target[:0])
    with pytest.raises(ValueError, match="no validation pairs.*validation_fraction"):
        train(tiny_settings(), bank, empty, tmp_path, progress=False)


def test_a_checkpoint_with_other_objects_is_not_loaded(tmp_path):
    """Checkpoints are read with weights_only=True: a pickled object of any other class (which
    could run code when loaded) is refused with a message naming the file."""
    from fractions import Fraction

    torch.save({"generator": {}, "settings": {}, "extra": Fraction(1, 2)}, tmp_path / "best.pt")
    with pytest.raises(ValueError, match=r"best\.pt holds objects other than tensors and plain values"):
        load_generator(tmp_path / "best.pt")
