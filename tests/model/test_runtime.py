"""The runtime: validated when made, settled once, and carried whole by the classifier and its backend."""

from __future__ import annotations

import pytest

from stance.errors import ConfigError
from stance.model.classifier import StanceClassifier
from stance.model.devices import usable_cores
from stance.model.precision import BATCH_SIZES, cpu_precision
from stance.model.runtime import Runtime


@pytest.mark.parametrize(
    ("options", "setting"),
    [({"device": "tpu"}, "device"), ({"precision": "fp8"}, "precision"), ({"threads": 0}, "threads"),
     ({"threads": True}, "threads"), ({"batch_size": 0}, "batch_size"), ({"batch_size": 2.5}, "batch_size")],
)
def test_a_bad_setting_is_refused_when_the_runtime_is_made(options: dict, setting: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Runtime(**options)
    assert setting in caught.value.settings and isinstance(caught.value, ValueError)


def test_resolving_settles_every_choice_and_is_idempotent() -> None:
    settled = Runtime(device="cpu", precision="auto").resolve()
    assert settled == Runtime("cpu", cpu_precision()[0], usable_cores(), BATCH_SIZES[cpu_precision()[0]])
    assert settled.resolve() == settled
    assert Runtime(precision="int8").resolve().device == "cpu"  # int8 with the device left open runs where it runs
    assert Runtime("cpu", "fp32", threads=1, batch_size=3).resolve() == Runtime("cpu", "fp32", 1, 3)


def test_of_puts_the_given_options_in_place_of_the_runtimes_fields() -> None:
    base = Runtime(device="cpu", precision="bf16", threads=2)
    assert Runtime.of(base, threads=1, batch_size=None) == Runtime("cpu", "bf16", 1, None)
    assert Runtime.of(None, precision="int8") == Runtime(precision="int8")
    with pytest.raises(TypeError, match="temperature"):
        Runtime.of(base, temperature=2.0)


def test_the_classifier_carries_one_settled_runtime_and_its_setters_change_it(tiny_classifier_dir) -> None:
    runtime = Runtime(device="cpu", precision="fp32", threads=1)
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir, runtime=runtime, batch_size=4)
    assert classifier.runtime == Runtime("cpu", "fp32", 1, 4) and classifier.backend.runtime is classifier.runtime
    before = classifier.predict_proba(["I love this plan", "I hate it"], "the plan")
    classifier.batch_size = 1
    classifier.threads = 2
    assert classifier.runtime == Runtime("cpu", "fp32", 2, 1)
    assert classifier.predict_proba(["I love this plan", "I hate it"], "the plan") == pytest.approx(before, abs=1e-5)
    with pytest.raises(ConfigError):
        classifier.threads = 0
    # A classifier made from this one (one task of it, its temperatures folded) computes as it does.
    assert classifier.with_temperatures_folded().runtime == classifier.runtime
