"""`stance train` under torchrun: two CPU processes (gloo) train one model, which only the main process writes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from stance.model.classifier import StanceClassifier

FAST = ["--epochs", "1", "--batch-size", "8", "--max-length", "32", "--learning-rate", "1e-7", "--device", "cpu", "--threads", "1"]


def _needs_gloo() -> None:
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_gloo_available()):
        pytest.skip("needs torch.distributed with the gloo backend")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _train(launcher: list[str], data: Path, output: Path, base: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, *launcher, "-m", "stance", "train", str(data), "-o", str(output), "--base-model", str(base), *FAST]
    return subprocess.run(command, check=False, capture_output=True, text=True, cwd=REPO, env=env, timeout=600)


def _steps_and_val_loss(stderr: str) -> tuple[int, float]:
    """The optimizer steps of the run and its validation loss, from the progress lines."""
    header, row = re.search(r"^validation: (.+)\n(.+)$", stderr, re.MULTILINE).groups()
    val_loss = float(row.split()[header.split().index("val_loss")])
    return int(re.search(r"^trained (\d+) steps", stderr, re.MULTILINE).group(1)), val_loss


def test_torchrun_trains_on_two_processes_and_writes_one_model(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    _needs_gloo()
    single = _train([], toy_labelled, tmp_path / "single" / "model", tiny_base_model)
    assert single.returncode == 0, single.stderr
    launcher = ["-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", str(_free_port())]
    run = _train(launcher, toy_labelled, tmp_path / "ddp" / "model", tiny_base_model)
    assert run.returncode == 0, run.stderr

    out = tmp_path / "ddp" / "model"
    assert os.listdir(out.parent) == ["model"]  # no .partial or .old folder, no checkpoints left
    assert sorted(os.listdir(out)) == sorted(os.listdir(tmp_path / "single" / "model"))
    assert {"config.json", "model.safetensors", "stance.json", "README.md"} <= set(os.listdir(out))
    # One process reports: the summary once, the progress once.
    assert run.stderr.count("model written to") == 1 and run.stdout.count("macro_f1=") == 1
    assert run.stderr.count("validation: epoch") == 1
    # The data is split between the two processes: half the steps for each; the loss is not scaled by their number.
    single_steps, single_loss = _steps_and_val_loss(single.stderr)
    steps, loss = _steps_and_val_loss(run.stderr)
    assert single_steps > 1 and steps == (single_steps + 1) // 2
    assert loss == pytest.approx(single_loss, abs=0.05)
    classifier = StanceClassifier.from_pretrained(out)
    assert classifier.predict("I love this plan, great idea", "the plan").label in classifier.labels
