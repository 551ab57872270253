"""What a training run shows while it goes: a bar on a terminal, steady one-line records in a log.

The reporter is a Hugging Face ``TrainerCallback`` that writes to the stream its caller hands it
(the CLI gives stderr), so the API itself never prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TextIO

from transformers import TrainerCallback

from stance.core.progress import PROGRESS_INTERVAL_SECONDS, format_duration

SCORE_COLUMNS = ("macro_f1", "accuracy", "sentiment_macro_f1", "sentiment_accuracy")  # of the validation report


class TrainingProgress(TrainerCallback):
    """Reports a run on ``stream``: with ``bar``, a progress bar with epoch, loss and ETA; without, a
    line (epoch, step, loss, elapsed, ETA) every ``interval`` seconds. Either way, each epoch's
    validation scores as a row of one table, and a closing line."""

    def __init__(
        self,
        stream: TextIO,
        *,
        bar: bool,
        interval: float = PROGRESS_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.use_bar = bar
        self.interval = interval
        self.clock = clock
        self._bar: Any = None
        self.features_started: float | None = None  # when the frozen layers began their one pass

    def on_frozen_features(self, done: int, total: int) -> None:
        """Before training: the frozen layers have run on ``done`` of ``total`` windows (the main process's)."""
        now = self.clock()
        if self.features_started is None:
            self.features_started = self.last_line = now
            if self.use_bar:
                from tqdm.auto import tqdm

                self._bar = tqdm(total=total, file=self.stream, unit="window", desc="frozen layers", dynamic_ncols=True)
        if self._bar is not None:
            self._bar.update(done - self._bar.n)
        elif now - self.last_line >= self.interval and done < total:
            self.last_line = now
            self._write(f"frozen layers · {done}/{total} windows · elapsed {format_duration(now - self.features_started)}")
        if done >= total:
            if self._bar is not None:
                self._bar.close()
                self._bar = None
            self._write(f"ran the frozen layers once on {total} windows in {format_duration(now - self.features_started)}")
            self.features_started = None  # the next run (a cross-validation fold) starts afresh

    def on_fold_begin(self, fold: int, folds: int, training: int, scored: int) -> None:
        """Cross-validation: fold ``fold`` of ``folds`` starts, training on ``training`` comments."""
        self._write(f"fold {fold}/{folds}: training on {training} comments, scoring {scored}")

    # The Trainer's hooks.
    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.started = self.last_line = self.clock()
        self.first_step = state.global_step  # a resumed run times only the steps it runs itself
        self.loss: float | None = None
        self.table_columns: list[str] = []
        if self.use_bar and state.is_world_process_zero:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=state.max_steps, initial=state.global_step, file=self.stream, unit="step", desc="training", dynamic_ncols=True
            )

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        if self._bar is not None:
            self._bar.update(state.global_step - self._bar.n)
            self._bar.set_postfix_str(self._status(state, with_times=False), refresh=False)
        elif self.clock() - self.last_line >= self.interval:
            self.last_line = self.clock()
            self._write(self._status(state, with_times=True))

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any) -> None:
        if logs and "loss" in logs:
            self.loss = float(logs["loss"])

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not metrics:
            return
        scores = {"epoch": state.epoch, "train_loss": self.loss, "val_loss": metrics.get("eval_loss")}
        scores |= {name.removeprefix("eval_"): value for name, value in metrics.items() if name.removeprefix("eval_") in SCORE_COLUMNS}
        if not self.table_columns:
            self.table_columns = [name for name in ("epoch", "train_loss", "val_loss", *SCORE_COLUMNS) if name in scores]
            self._write("validation: " + "  ".join(self.table_columns))
        cells = (f"{scores[name]:.3f}" if scores[name] is not None else "-" for name in self.table_columns)
        self._write("            " + "  ".join(cell.rjust(len(name)) for cell, name in zip(cells, self.table_columns)))

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if state.is_world_process_zero:
            self._write(f"trained {state.global_step} steps ({state.epoch:.2f} epochs) in {format_duration(self.clock() - self.started)}")

    # Helpers.
    def _status(self, state: Any, *, with_times: bool) -> str:
        epochs = state.num_train_epochs
        parts = [f"epoch {state.epoch:.2f}/{epochs:g}"]
        if with_times:
            parts.append(f"step {state.global_step}/{state.max_steps}")
        parts.append(f"loss {self.loss:.4f}" if self.loss is not None else "loss -")
        if with_times:
            elapsed = self.clock() - self.started
            done = state.global_step - self.first_step
            remaining = elapsed / done * (state.max_steps - state.global_step) if done else float("nan")
            parts += [f"elapsed {format_duration(elapsed)}", f"ETA {format_duration(remaining) if done else '-'}"]
        return " · ".join(parts)

    def _write(self, line: str) -> None:
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            self.stream.write(line + "\n")
            self.stream.flush()
