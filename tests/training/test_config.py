"""TrainingConfig: the one home of every training default, and it checks itself."""

from __future__ import annotations

from dataclasses import fields

import pytest

from stance.errors import ConfigError
from stance.training.config import TrainingConfig


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epochs": 0}, "epochs 0: expected a positive number"),
        ({"method": "adapterz"}, "method 'adapterz': expected one of full, lora"),
        ({"batch_size": 0}, "batch_size 0: expected a whole number"),
        ({"max_length": 8}, "max_length 8: expected 16 tokens or more"),
        ({"learning_rate": -1e-5}, "learning_rate -1e-05: expected a positive number"),
        ({"validation_fraction": 1.0}, "validation_fraction 1.0: expected between 0 and 1"),
        ({"target_dropout": 1.5}, "target_dropout 1.5: expected from 0 up to 1"),
        ({"device": "gpu"}, "device 'gpu': expected one of auto, cpu, cuda, mps"),
    ],
)
def test_bad_settings_are_refused_by_the_config_itself(settings: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        TrainingConfig(**settings)
    assert isinstance(caught.value, ValueError)  # as scikit-learn's errors are
    assert caught.value.settings == tuple(settings)  # the CLI turns it into a flag hint


def test_round_trips_through_a_dict_and_refuses_unknown_keys() -> None:
    config = TrainingConfig(method="lora", epochs=2.5, lora_rank=8)
    as_dict = config.to_dict()
    assert as_dict["learning_rate"] == 5e-4  # resolved for LoRA
    assert TrainingConfig.from_dict({f.name: getattr(config, f.name) for f in fields(config)}) == config
    with pytest.raises(ConfigError, match=r"unknown training settings \['epoch'\]"):
        TrainingConfig.from_dict({"epoch": 3})


def test_the_cli_the_estimator_and_the_classifier_share_its_defaults() -> None:
    import inspect

    from stance.cli import train as train_command
    from stance.model.classifier import StanceClassifier
    from stance.training.estimator import StanceEstimator

    defaults = TrainingConfig()
    estimator = StanceEstimator()
    assert (estimator.max_length, estimator.max_target_tokens, estimator.epochs, estimator.batch_size) == (
        defaults.max_length, defaults.max_target_tokens, defaults.epochs, defaults.batch_size,
    )
    cli = inspect.signature(train_command.train).parameters
    assert (cli["max_length"].default, cli["epochs"].default, cli["batch_size"].default, cli["method"].default) == (
        defaults.max_length, defaults.epochs, defaults.batch_size, defaults.method,
    )
    classifier = inspect.signature(StanceClassifier).parameters
    assert (classifier["max_length"].default, classifier["max_target_tokens"].default) == (
        defaults.max_length, defaults.max_target_tokens,
    )
