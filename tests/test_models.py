"""The U-Net generator and the ResNet-18 regressor / critic."""

import pytest
import torch

from vrgan.models import ResNetHead, UNetGenerator, condition_planes, resolve_freeze_bn


def test_paper_unet_has_the_published_layout():
    generator = UNetGenerator(64, 4, 3)
    convs = [m for m in generator.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 22
    assert sum(p.numel() for p in generator.parameters()) == pytest.approx(34.50e6, abs=0.005e6)
    # the top decoder level: one 3x3 conv 128 -> 64 after the skip, then the output conv 64 -> 1
    top = generator.up[-1].blocks
    assert [(c.in_channels, c.out_channels) for c in top.modules() if isinstance(c, torch.nn.Conv2d)] == [(128, 64)]


@pytest.mark.parametrize("depth,size", [(2, 16), (3, 32), (4, 48)])
def test_unet_output_shape_matches_input(depth, size):
    generator = UNetGenerator(4, depth, 3)
    x = torch.randn(2, 1, size, size)
    assert generator(x, torch.zeros(2, 3)).shape == (2, 1, size, size)


def test_condition_changes_the_map_and_reaches_only_the_bottleneck():
    torch.manual_seed(0)
    generator = UNetGenerator(4, 2, 3).train()  # eval mode at init shrinks every layer by gamma ~ 0.1
    x = torch.randn(2, 1, 16, 16)
    a = generator(x, condition_planes(torch.tensor([0.5, 0.5]), torch.tensor([0.8, 0.8])))
    b = generator(x, condition_planes(torch.tensor([0.9, 0.9]), torch.tensor([0.8, 0.8])))
    assert not torch.allclose(a, b)
    # the planes join the bottleneck's output: its convs never see them, the first upsampling does
    assert generator.bottleneck[0][0].in_channels == 4 * 2
    assert generator.up[0].reduce[0].in_channels == 4 * 4 + 3


def test_condition_planes_values():
    planes = condition_planes(torch.tensor([0.5]), torch.tensor([0.9]))
    torch.testing.assert_close(planes, torch.tensor([[-1.0, 1.0, 2.0]]))


def test_unet_rejects_bad_inputs_with_clear_messages():
    generator = UNetGenerator(4, 2, 3)
    with pytest.raises(ValueError, match="divisible by 2\\*\\*depth = 4"):
        generator(torch.randn(1, 1, 18, 18), torch.zeros(1, 3))
    with pytest.raises(ValueError, match="conditions of shape \\(1, 3\\)"):
        generator(torch.randn(1, 1, 16, 16))
    unconditional = UNetGenerator(4, 2, 0)
    assert unconditional(torch.randn(1, 1, 16, 16)).shape == (1, 1, 16, 16)


def test_initial_map_is_small():
    torch.manual_seed(0)
    generator = UNetGenerator(8, 2, 3)
    delta = generator(torch.randn(8, 1, 16, 16), torch.zeros(8, 3))
    assert delta.std().item() < 0.2  # BN gamma ~ N(0.1, 0.01) on the output


def test_frozen_batchnorm_keeps_running_statistics():
    model = ResNetHead("none", freeze_bn=True).train()
    before = model.net.bn1.running_mean.clone()
    model(torch.randn(4, 1, 32, 32) * 3 + 1)
    torch.testing.assert_close(model.net.bn1.running_mean, before)
    assert model.net.bn1.weight.requires_grad  # gamma and beta still train
    trained = ResNetHead("none", freeze_bn=False).train()
    trained(torch.randn(4, 1, 32, 32) * 3 + 1)
    assert not torch.allclose(trained.net.bn1.running_mean, before)


def test_freeze_bn_auto_freezes_only_pretrained():
    assert resolve_freeze_bn("auto", "none") is False
    assert resolve_freeze_bn("auto", "imagenet") is True
    assert resolve_freeze_bn("auto", "/some/weights.pt") is True
    assert resolve_freeze_bn(False, "imagenet") is False
    with pytest.raises(ValueError, match="freeze_bn"):
        resolve_freeze_bn("sometimes", "none")


def test_regressor_outputs_one_value_per_image():
    assert ResNetHead("none")(torch.randn(3, 1, 32, 32)).shape == (3,)


def test_local_state_dict_is_loaded(tmp_path):
    torch.manual_seed(1)
    source = ResNetHead("none")
    path = tmp_path / "r.pt"
    torch.save(source.state_dict(), path)
    loaded = ResNetHead(str(path))
    torch.testing.assert_close(loaded.net.conv1.weight, source.net.conv1.weight)
    torch.testing.assert_close(loaded.net.fc.weight, source.net.fc.weight)


def test_torchvision_state_dict_drops_its_1000_class_head(tmp_path):
    from torchvision.models import resnet18

    backbone = resnet18(weights=None)
    path = tmp_path / "imagenet_like.pt"
    torch.save(backbone.state_dict(), path)
    loaded = ResNetHead(str(path))
    torch.testing.assert_close(loaded.net.layer1[0].conv1.weight, backbone.layer1[0].conv1.weight)
    assert loaded.net.fc.out_features == 1


def test_missing_weights_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.pt"):
        ResNetHead(str(tmp_path / "nope.pt"))


def test_unreachable_imagenet_weights_name_the_cache(monkeypatch):
    from torchvision.models import ResNet18_Weights

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(type(ResNet18_Weights.IMAGENET1K_V1), "get_state_dict", offline)
    with pytest.raises(RuntimeError, match=r"checkpoints/resnet18-f37072fd\.pth"):
        ResNetHead("imagenet")


def test_regressor_input_scaling_as_published_normalises_x_as_it_is():
    torch.manual_seed(0)
    published = ResNetHead("none", input_scaling="as_published").eval()
    unit = ResNetHead("none", input_scaling="unit_interval").eval()
    unit.load_state_dict(published.state_dict())
    x = torch.rand(2, 1, 32, 32) * 2 - 1
    # unit_interval maps x to (x + 1) / 2 before the ImageNet normalisation that as_published applies to x
    torch.testing.assert_close(unit(x), published((x + 1) / 2))
    assert not torch.allclose(unit(x), published(x))
    with pytest.raises(ValueError, match="input_scaling must be one of"):
        ResNetHead("none", input_scaling="zscore")


def test_regressor_at_width_64_is_torchvisions_resnet18_value_for_value():
    from torchvision.models import resnet18

    torch.manual_seed(3)
    ours = ResNetHead("none").net.state_dict()
    torch.manual_seed(3)
    theirs = resnet18(weights=None)
    theirs.fc = torch.nn.Linear(512, 1)
    theirs = theirs.state_dict()
    assert list(ours) == list(theirs)
    assert all(torch.equal(ours[key], theirs[key]) for key in theirs)


def test_narrow_regressor_has_the_same_layers_with_fewer_channels():
    wide, narrow = ResNetHead("none"), ResNetHead("none", width=16)
    assert [k for k, _ in wide.named_parameters()] == [k for k, _ in narrow.named_parameters()]
    assert narrow.net.fc.in_features == 128
    n_wide = sum(p.numel() for p in wide.parameters())
    n_narrow = sum(p.numel() for p in narrow.parameters())
    assert n_narrow == pytest.approx(n_wide / 16, rel=0.01)
    assert narrow(torch.randn(3, 1, 32, 32)).shape == (3,)


def test_pretrained_weights_need_width_64(tmp_path):
    path = tmp_path / "r.pt"
    torch.save(ResNetHead("none").state_dict(), path)
    with pytest.raises(ValueError, match="width 64 only, got width 32"):
        ResNetHead(str(path), width=32)
