"""Every command's output on a full disk: one line naming the path and the reason, exit 5, and nothing left
behind. The disk is a small tmpfs filled to the brim before the command runs (skipped where none can be mounted)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run, write_jsonl

from stance.errors import OutputError

OUTPUT = OutputError.exit_code


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "full"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def fill(disk: Path) -> None:
    """Take every block left."""
    with open(disk / "filler", "wb", buffering=0) as handle:
        for size in (65536, 4096, 1):  # large writes first, then what a smaller one still finds
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError:
                pass


def labelled(tmp_path: Path) -> Path:
    rows = [{"text": f"I {'love' if n % 2 else 'hate'} the toll number {n}", "label": "support" if n % 2 else "oppose",
             "target": "the toll"} for n in range(40)]
    return write_jsonl(tmp_path / "labelled.jsonl", rows)


@pytest.mark.parametrize("command", ["extract", "report", "suggest", "evaluate", "train", "export", "calibrate", "classify-parquet"])
def test_a_full_disk_is_one_line_and_leaves_nothing(command: str, small_disk: Path, tmp_path: Path, tiny_classifier_dir: Path,
                                                     tiny_base_model: Path, capsys) -> None:
    full_disk = small_disk
    data = labelled(tmp_path)
    model = ["--model", str(tiny_classifier_dir)]
    if command == "calibrate":  # the model folder itself on the full disk: its stance.json cannot be rewritten
        shutil.copytree(tiny_classifier_dir, full_disk / "model")
    target = {"extract": full_disk / "out.jsonl", "report": full_disk / "report.html", "suggest": full_disk / "round.csv",
              "evaluate": full_disk / "report", "train": full_disk / "model-out", "export": full_disk / "plain",
              "calibrate": full_disk / "model" / "stance.json", "classify-parquet": full_disk / "out.parquet"}[command]
    args = {
        "extract": ["extract", str(data), "-o", str(target)],
        "report": ["report", str(data), *model, "-o", str(target)],
        "suggest": ["suggest", str(data), *model, "-n", "5", "-o", str(target)],
        "evaluate": ["evaluate", str(data), *model, "-o", str(target)],
        "train": ["train", str(data), "--base-model", str(tiny_base_model), "--epochs", "1", "--max-length", "32", "-o", str(target)],
        "export": ["export", str(tiny_classifier_dir), str(target)],
        "calibrate": ["calibrate", str(data), "--model", str(full_disk / "model")],
        "classify-parquet": ["classify", str(data), *model, "-o", str(target)],
    }[command]
    fill(full_disk)
    before = sorted(p.name for p in full_disk.iterdir())
    code, _, err = run(args, capsys)
    assert code == OUTPUT, err
    assert err.count("stance: error:") == 1 and err.endswith("\n") and err.splitlines()[-1].startswith("stance: error:")
    assert "Traceback" not in err
    assert str(full_disk) in err and ("No space left on device" in err or "cannot write" in err)
    assert sorted(p.name for p in full_disk.iterdir()) == before  # no partial file, no temporary folder
