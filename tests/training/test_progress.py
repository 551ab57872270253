"""What a training run shows: steady lines for a log, a bar for a terminal, a validation table either way."""

from __future__ import annotations

import io
import re
from pathlib import Path

from stance.core.progress import format_duration
from stance.training.config import TrainingConfig
from stance.training.data import load_labelled
from stance.training.progress import TrainingProgress
from stance.training.trainer import train


def _config(base: Path) -> TrainingConfig:
    return TrainingConfig(base_model=str(base), epochs=2, batch_size=8, max_length=32, learning_rate=3e-3, logging_steps=1)


def test_a_log_gets_steady_progress_lines_and_one_validation_row_per_epoch(
    tiny_base_model: Path, toy_labelled: Path, tmp_path: Path
) -> None:
    stream = io.StringIO()
    ticks = iter(range(0, 10_000, 10))  # each look at the clock is ten seconds later
    progress = TrainingProgress(stream, bar=False, interval=25, clock=lambda: float(next(ticks)))
    train(load_labelled(toy_labelled), tmp_path / "model", _config(tiny_base_model), callbacks=[progress])
    lines = stream.getvalue().splitlines()
    assert re.fullmatch(r"ran the frozen layers once on \d+ windows in (\d+m)?\d+s", lines[0])  # before the first step
    steps = [line for line in lines if line.startswith("epoch ")]
    assert steps and len(steps) < 12  # 12 steps, a line only once 25 s have passed since the last
    assert re.fullmatch(r"epoch \d\.\d\d/2 · step \d+/12 · loss \d\.\d{4} · elapsed (\d+m)?\d+s · ETA (\d+m)?\d+s", steps[0])
    header = lines.index(next(line for line in lines if line.startswith("validation:")))
    assert lines[header].split()[1:] == ["epoch", "train_loss", "val_loss", "macro_f1", "accuracy"]
    rows = [line.split() for line in lines[header + 1 :] if line.startswith(" ")]  # progress lines come between
    assert [row[0] for row in rows] == ["1.000", "2.000"] and all(len(row) == 5 for row in rows)
    assert re.fullmatch(r"trained 12 steps \(2\.00 epochs\) in (\d+m)?\d+s", lines[-1])


def test_a_terminal_gets_a_bar_with_epoch_and_loss(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    stream = io.StringIO()
    train(load_labelled(toy_labelled), tmp_path / "model", _config(tiny_base_model), callbacks=[TrainingProgress(stream, bar=True)])
    shown = stream.getvalue()
    assert "frozen layers: 100%" in shown and "training: 100%" in shown and "12/12" in shown and re.search(r"epoch 2\.00/2 · loss \d\.\d{4}", shown)
    assert not re.search(r"^epoch ", shown, re.MULTILINE)  # no log lines beside the bar
    assert "validation: epoch" in shown


def test_durations_read_short() -> None:
    assert [format_duration(s) for s in (0, 12.4, 245, 3725)] == ["0s", "12s", "4m05s", "1h02m"]


def test_one_progress_reporter_serves_run_after_run(tiny_base_model: Path, toy_labelled: Path, tmp_path: Path) -> None:
    """Cross-validation hands the same reporter to every fold: each fold's frozen pass gets its own bar."""
    stream = io.StringIO()
    progress = TrainingProgress(stream, bar=True)
    for fold in range(2):
        train(load_labelled(toy_labelled), tmp_path / f"fold{fold}", _config(tiny_base_model), callbacks=[progress])
    shown = stream.getvalue()
    assert shown.count("frozen layers: 100%") >= 2 and shown.count("ran the frozen layers once on") == 2
    assert "frozen layers · " not in shown  # no log lines among the bars
