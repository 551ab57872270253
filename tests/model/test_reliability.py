"""Guarantees that need a real process: no network at run time, and training that survives SIGKILL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CopyModel, kill_when

from stance.model.classifier import StanceClassifier


def test_classifying_opens_no_socket(tiny_classifier_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a socket was opened: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    assert classifier.predict("Great idea", "the plan").label in classifier.labels


@pytest.mark.e2e
def test_the_default_model_loads_with_sockets_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a socket was opened: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert StanceClassifier.from_pretrained().predict("Excellent move!", "The two countries sign a trade pact").label == "support"


def test_training_killed_with_sigkill_resumes_to_the_same_metrics(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    def command(output: Path, *extra: str) -> list[str]:
        return [sys.executable, "-m", "stance", "train", str(toy_labelled), "-o", str(output), "--base-model", str(tiny_base_model),
                "--epochs", "6", "--batch-size", "8", "--max-length", "32", "--learning-rate", "1e-3", *extra]

    straight = subprocess.run(command(tmp_path / "straight"), capture_output=True, text=True)
    assert straight.returncode == 0, straight.stderr
    killed = tmp_path / "killed"
    process = subprocess.Popen(command(killed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoints = killed.with_name("killed.checkpoints")
    if not kill_when(process, lambda: any(checkpoints.glob("checkpoint-*/trainer_state.json"))):
        pytest.skip("training finished before it could be killed")
    assert not killed.exists()
    # A kill in the middle of saving leaves a newer checkpoint without its trainer_state.json.
    newest = max(checkpoints.glob("checkpoint-*/trainer_state.json")).parent
    cut_short = checkpoints / "checkpoint-9999"
    cut_short.mkdir(exist_ok=True)
    shutil.copy(newest / "model.safetensors", cut_short / "model.safetensors")
    resumed = subprocess.run(command(killed, "--resume"), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    metrics = [line for line in resumed.stdout.splitlines() if line.startswith("accuracy=")]
    assert metrics and metrics == [line for line in straight.stdout.splitlines() if line.startswith("accuracy=")]


def test_pickled_weights_are_refused(copy_tiny_classifier: CopyModel, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    from stance.errors import ModelError

    pickled = tmp_path / "pickled"
    copy_tiny_classifier(pickled)
    torch.save(load_file(pickled / "model.safetensors"), pickled / "pytorch_model.bin")
    (pickled / "model.safetensors").unlink()
    with pytest.raises(ModelError, match="cannot load the model"):
        StanceClassifier.from_pretrained(pickled)



def test_a_model_saved_through_a_link_replaces_what_the_link_points_at(tiny_classifier_dir: Path, tmp_path: Path) -> None:
    real = tmp_path / "package" / "default_model"
    real.mkdir(parents=True)
    (real / "old.txt").write_text("from an earlier build", encoding="utf-8")
    link = tmp_path / "models" / "default"  # as the repo's models/default links to stance/default_model
    link.parent.mkdir()
    link.symlink_to(Path("..") / "package" / "default_model")
    classifier = StanceClassifier.from_pretrained(tiny_classifier_dir)
    classifier.save_pretrained(link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert (real / "stance.json").exists() and not (real / "old.txt").exists()
    assert StanceClassifier.from_pretrained(link).labels == classifier.labels


def test_importing_stance_changes_nothing_in_the_process() -> None:
    code = (
        "import os, logging, stance, stance.cli, stance.model.classifier; "
        "print(sorted(k for k in os.environ if k.endswith('_OFFLINE')), logging.root.manager.disable)"
    )
    env = {key: value for key, value in os.environ.items() if not key.endswith("_OFFLINE")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.split() == ["[]", "0"]


def test_loading_and_exporting_leave_the_callers_library_settings_as_they_were(tiny_classifier_dir: Path) -> None:
    import logging

    from transformers.utils import logging as hf_logging

    hf_logging.enable_progress_bar()
    hf_logging.set_verbosity_info()
    try:
        StanceClassifier.from_pretrained(tiny_classifier_dir)
        StanceClassifier.from_pretrained(tiny_classifier_dir, precision="int8")  # exports to ONNX first
        assert hf_logging.is_progress_bar_enabled() and hf_logging.get_verbosity() == hf_logging.INFO
        assert logging.root.manager.disable == 0
    finally:
        hf_logging.set_verbosity_warning()


def test_predict_sees_a_recalibrated_model(copy_tiny_classifier: CopyModel, tmp_path: Path) -> None:
    import json
    import time

    from stance import predict

    model = copy_tiny_classifier(tmp_path / "model")
    before = predict("a comment", target="t", model=str(model))
    settings = json.loads((model / "stance.json").read_text())
    time.sleep(0.01)  # a new modification time, as `stance calibrate` gives
    (model / "stance.json").write_text(json.dumps(settings | {"temperature": 50.0}))
    after = predict("a comment", target="t", model=str(model))
    assert max(after.scores.values()) < max(before.scores.values())  # a high temperature flattens the scores
    assert max(after.scores.values()) == pytest.approx(1 / len(after.scores), abs=0.01)


def test_an_int8_export_changed_on_disk_is_rebuilt_not_trusted(copy_tiny_classifier: CopyModel, tmp_path: Path) -> None:
    from stance.model.onnx import ONNX_FILE, cached_export

    model = copy_tiny_classifier(tmp_path / "model")
    texts = ["I love this plan", "I hate this plan", "no opinion"]
    before = StanceClassifier.from_pretrained(model, precision="int8").predict_proba(texts, "the plan")
    graph = cached_export(model) / ONNX_FILE
    data = bytearray(graph.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = bytes(4096)  # same size, other bytes
    graph.write_bytes(bytes(data))
    after = StanceClassifier.from_pretrained(model, precision="int8").predict_proba(texts, "the plan")
    assert graph.read_bytes() != bytes(data)  # rebuilt at load
    assert after == pytest.approx(before, abs=1e-6)


def test_folders_a_killed_build_left_are_removed_by_the_next(tmp_path: Path) -> None:
    from stance.io.files import atomic_directory

    target = tmp_path / "my-model"
    dead = tmp_path / ".my-model.partial-999999999-abc_12"  # no process has that id
    older = tmp_path / ".my-model.partial-k2j3h4"  # from a version without the process id
    alive = tmp_path / f".my-model.partial-{os.getpid()}-zz9"  # a build still running
    other = tmp_path / ".other.partial-999999999-abc"
    for folder in (dead, older, alive, other):
        (folder / "part").mkdir(parents=True)
    with atomic_directory(target) as building:
        (building / "config.json").write_text("{}")
    assert (target / "config.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, alive.name, other.name])
