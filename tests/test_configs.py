"""The shipped configurations validate against the schema, and the paper config is the paper's."""

import jsonschema
import pytest
import yaml

from workflow import REPO, deep_update

SCHEMA = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())
DEMO = yaml.safe_load((REPO / "config.yaml").read_text())


@pytest.mark.parametrize("overrides", [None, "tests/config.tiny.yaml", "configs/paper.yaml", "configs/export.yaml"])
def test_config_validates(overrides):
    config = DEMO if overrides is None else deep_update(DEMO, yaml.safe_load((REPO / overrides).read_text()))
    jsonschema.validate(config, SCHEMA)


def test_paper_config_has_the_papers_settings():
    config = deep_update(DEMO, yaml.safe_load((REPO / "configs/paper.yaml").read_text()))
    for study in ("toy", "xray"):
        section = config[study]
        assert section["models"]["generator"] == {"base_channels": 64, "depth": 4, "bn_momentum": 0.01}
        assert section["models"]["regressor"]["weights"] == "imagenet"
        assert section["models"]["regressor"]["input_scaling"] == "as_published"
        assert section["training"]["precision"] == "fp32" and section["training"]["generator_ema"] == 0
        assert section["training"]["lr"] == 1e-4 and section["training"]["lr_discriminator"] is None
        assert section["training"]["batch_size"] == 20 and section["training"]["betas"] == [0.0, 0.9]
        assert (section["training"]["iterations_per_epoch"], section["training"]["max_epochs"]) == (200, 30)
        assert len(section["training"]["seeds"]) == 5
        assert section["vrgan"] | {} == {
            "lambda_gx": 0.3, "lambda_reg": 0.03, "lambda_rx": 1.0, "lambda_rxp": 0.3,
            "regressor_warmup_iterations": 0, "regressor_warmup_lr": section["vrgan"]["regressor_warmup_lr"],
        }
        vagan = section["vagan"]
        assert (vagan["lambda_map"], vagan["gradient_penalty"], vagan["critic_steps"]) == (100, 10, 5)
        assert (vagan["critic_steps_boost"], vagan["boost_first_generator_steps"], vagan["boost_every"]) == (100, 25, 100)
        assert vagan["generator_steps_per_epoch"] is None
    assert config["toy"]["data"]["size"] == 224 and config["toy"]["data"]["n_train"] == 10000
    assert (config["xray"]["preprocess"]["resize"], config["xray"]["preprocess"]["crop"]) == (256, 224)
    # every subject with both labels is validation or test, about 26:74 (208 and 587 pairs)
    split = config["cohort"]["split"]
    assert split["validation_fraction"] + split["test_fraction"] == pytest.approx(1.0)
    assert split["validation_fraction"] == pytest.approx(208 / (208 + 587), abs=0.01)


def test_demo_keeps_the_papers_loss_weights():
    for study in ("toy", "xray"):
        vrgan = DEMO[study]["vrgan"]
        assert (vrgan["lambda_gx"], vrgan["lambda_reg"], vrgan["lambda_rx"], vrgan["lambda_rxp"]) == (0.3, 0.03, 1.0, 0.3)
