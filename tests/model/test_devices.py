"""Choosing the device and precision: an accelerator where torch sees one, else the CPU."""

from __future__ import annotations

from pathlib import Path

import pytest

import stance.model.devices
from stance.errors import ConfigError, ModelError
from stance.model.classifier import StanceClassifier
from stance.model.devices import (
    resolve_device,
    resolve_threads,
    torch_threads,
    usable_cores,
)
from stance.model.precision import cpu_precision, resolve_precision
from stance.training.config import TrainingConfig
from stance.training.loop import device_arguments


@pytest.fixture
def accelerators(monkeypatch: pytest.MonkeyPatch):
    """Pretend torch sees the given accelerators (and whether the GPU runs bf16 at full speed)."""

    def pretend(found: list[str], bf16: bool = True) -> None:
        monkeypatch.setattr(stance.model.devices, "may_have_accelerator", lambda: bool(found))
        monkeypatch.setattr(stance.model.devices, "_available_accelerators", lambda: list(found))
        import torch

        monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: bf16)

    return pretend


@pytest.mark.parametrize(
    ("found", "expected"), [([], "cpu"), (["cuda"], "cuda"), (["mps"], "mps"), (["cuda", "mps"], "cuda")]
)
def test_auto_picks_an_accelerator_where_torch_sees_one(accelerators, found: list[str], expected: str) -> None:
    accelerators(found)
    assert resolve_device("auto") == expected
    assert resolve_device("cpu") == "cpu"  # asked for, always honoured


def test_an_accelerator_asked_for_but_absent_is_an_error(accelerators) -> None:
    accelerators([])
    with pytest.raises(ModelError, match="device 'cuda': torch sees no such device here.*use the CPU"):
        resolve_device("cuda")
    with pytest.raises(ConfigError, match="expected one of auto, cpu, cuda, mps"):
        resolve_device("gpu")


@pytest.mark.parametrize(("device", "bf16", "expected"), [("cuda", True, "bf16"), ("cuda", False, "fp32"), ("mps", True, "fp32")])
def test_auto_precision_follows_the_device(accelerators, device: str, bf16: bool, expected: str) -> None:
    accelerators(["cuda"], bf16=bf16)
    assert resolve_precision("auto", device) == expected


@pytest.mark.parametrize(
    ("flags", "expected", "reason"),
    [
        ({"avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8"}, "bf16", "AMX bf16"),
        ({"avx512f", "avx512_bf16", "avx512_vnni"}, "fp32", "no AMX on this CPU, where bf16 is slower than fp32"),
        ({"avx2", "avx_vnni"}, "fp32", "int8 is faster but changes"),
        (set(), "fp32", "no AMX"),
    ],
)
def test_auto_precision_on_a_cpu_follows_its_features(monkeypatch: pytest.MonkeyPatch, flags: set[str], expected: str, reason: str) -> None:
    monkeypatch.setattr(stance.model.devices, "cpu_flags", lambda: frozenset(flags))
    assert resolve_precision("auto", "cpu") == expected
    assert cpu_precision()[0] == expected and reason in cpu_precision()[1]


def test_int8_runs_on_the_cpu_only() -> None:
    assert resolve_precision("int8", "cpu") == "int8"
    with pytest.raises(ModelError, match="int8 runs on the CPU"):
        resolve_precision("int8", "cuda")


@pytest.mark.parametrize(
    ("device", "bf16", "flags", "expected"),
    [
        ("cpu", True, {"avx512f", "avx512_bf16"}, {"use_cpu": True, "bf16": False, "fp16": False}),
        ("cpu", True, {"avx512f", "amx_bf16"}, {"use_cpu": True, "bf16": True, "fp16": False}),
        ("cuda", True, set(), {"use_cpu": False, "bf16": True, "fp16": False}),
        ("cuda", False, set(), {"use_cpu": False, "bf16": False, "fp16": True}),
        ("mps", True, {"amx_bf16"}, {"use_cpu": False, "bf16": False, "fp16": False}),
    ],
)
def test_training_uses_mixed_precision_on_a_gpu_and_a_cpu_with_amx(
    accelerators, monkeypatch: pytest.MonkeyPatch, device: str, bf16: bool, flags: set, expected: dict
) -> None:
    accelerators(["cuda"], bf16=bf16)
    monkeypatch.setattr(stance.model.devices, "cpu_flags", lambda: frozenset(flags))
    assert device_arguments(device, TrainingConfig().resolved_precision(device)) == expected


def test_training_precision_can_be_forced_and_is_checked(accelerators) -> None:
    accelerators(["cuda"], bf16=False)
    assert TrainingConfig(precision="fp32").resolved_precision("cuda") == "fp32"
    assert TrainingConfig(precision="bf16").resolved_precision("cpu") == "bf16"
    with pytest.raises(ConfigError, match="this GPU does not run bf16"):
        TrainingConfig(precision="bf16").resolved_precision("cuda")
    with pytest.raises(ConfigError, match="precision 'fp16'"):
        TrainingConfig(precision="fp16")


def test_cpu_flags_are_read_from_the_kernel_where_it_lists_them() -> None:
    from stance.model.devices import cpu_flags

    flags = cpu_flags()
    if Path("/proc/cpuinfo").exists():
        assert "fpu" in flags or not flags  # x86 lists fpu; other architectures list other flags
    else:
        assert flags == frozenset()


def test_a_cpu_machine_never_imports_torch_to_choose() -> None:
    import subprocess
    import sys

    code = (
        "import sys, stance.model.devices as d; d.may_have_accelerator = lambda: False; "
        "from stance.model.precision import resolve_precision; "
        "print(d.resolve_device('auto'), resolve_precision('auto', 'cpu'), 'torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["cpu", cpu_precision()[0], "False"]


def test_int8_with_the_device_left_to_auto_runs_on_the_cpu_even_beside_a_gpu(accelerators) -> None:
    from stance.model.precision import resolve_runtime

    accelerators(["cuda"])
    assert resolve_runtime("auto", "int8") == ("cpu", "int8")
    assert resolve_runtime("auto", "auto") == ("cuda", "bf16")
    with pytest.raises(ModelError, match="int8 runs on the CPU"):
        resolve_runtime("cuda", "int8")


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2"])
def test_a_thread_count_is_a_whole_number_of_one_or_more(bad) -> None:
    with pytest.raises(ConfigError, match=rf"threads {bad!r}: expected a whole number of CPU threads, 1 or more"):
        resolve_threads(bad)
    with pytest.raises(ConfigError, match="threads"):
        TrainingConfig(threads=bad)
    assert resolve_threads(3) == 3 and resolve_threads(None) == usable_cores() >= 1


def test_torch_threads_hold_within_the_block_only() -> None:
    import torch

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_one_thread_gives_the_same_scores_and_leaves_the_process_setting_alone(tiny_classifier_dir, precision: str) -> None:
    import torch

    texts = ["I love this plan", "I hate it", "no view at all " * 30]
    default = StanceClassifier.from_pretrained(tiny_classifier_dir, precision=precision)
    single = StanceClassifier.from_pretrained(tiny_classifier_dir, precision=precision, threads=1)
    assert default.backend.runtime.threads == usable_cores() and single.backend.runtime.threads == 1
    before = torch.get_num_threads()
    assert single.predict_proba(texts, "the plan") == pytest.approx(default.predict_proba(texts, "the plan"), abs=1e-5)
    assert torch.get_num_threads() == before


def test_on_the_cpu_batches_run_side_by_side_sharing_the_threads(tiny_classifier_dir) -> None:
    """Small products use two cores better side by side than split across them (docs/benchmarks.md, issue 35)."""
    import threading
    import time

    import torch

    from stance.model.classifier import StanceClassifier

    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir, threads=2, batch_size=1)
    running, most, torch_threads_seen = set(), [0], set()

    def enter(*_: object) -> None:
        running.add(threading.get_ident())
        most[0] = max(most[0], len(running))
        torch_threads_seen.add(torch.get_num_threads())
        time.sleep(0.2)  # long enough for the other thread to start its own batch

    classifier.model.register_forward_pre_hook(enter)
    classifier.model.register_forward_hook(lambda *_: running.discard(threading.get_ident()))
    before = torch.get_num_threads()
    classifier.predict([f"Nice idea number {i}" for i in range(4)], "the plan")
    assert most[0] == 2 and torch_threads_seen == {1}
    assert torch.get_num_threads() == before  # the process's setting is left as it was
    torch_threads_seen.clear()
    classifier.batch_size = 8
    classifier.predict(["Nice idea", "Not for me", "Fine"], "the plan")  # one batch: every thread on it
    assert torch_threads_seen == {2} and torch.get_num_threads() == before
    torch_threads_seen.clear()
    classifier.predict("Nice idea", "the plan")  # one window is too little to share: one thread
    assert torch_threads_seen == {1} and torch.get_num_threads() == before
