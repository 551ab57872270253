"""Progress of a count of items (comments classified): a bar when a person watches stderr, else a line
every half minute, so that a log shows that a long run is alive and when it should end."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TextIO

from stance.core.progress import PROGRESS_INTERVAL_SECONDS, format_duration


class CountProgress:
    """Reports on ``stream`` how many of ``total`` items (where known) are done, with the time elapsed and,
    given a total, the time left. Implements :class:`stance.classify.stream.Progress`."""

    def __init__(
        self,
        stream: TextIO,
        *,
        bar: bool,
        what: str = "classifying",
        unit: str = "comments",
        interval: float = PROGRESS_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream, self.use_bar, self.what, self.unit, self.interval, self.clock = stream, bar, what, unit, interval, clock
        self._bar: Any = None
        self.total: int | None = None
        self.done = 0
        self.started = self.last_line = clock()

    def begin(self, total: int | None) -> None:
        self.end()
        self.total, self.done = total, 0
        self.started = self.last_line = self.clock()
        if self.use_bar:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=self.what, unit=f" {self.unit}", file=self.stream, dynamic_ncols=True)

    def advance(self, count: int) -> None:
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
        elif self.clock() - self.last_line >= self.interval:
            self.last_line = self.clock()
            self.stream.write(self.status() + "\n")
            self.stream.flush()

    def end(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def status(self) -> str:
        """``classifying · 8192/17792 comments · elapsed 1m02s · ETA 1m13s`` (no total: no ETA)."""
        elapsed = self.clock() - self.started
        parts = [self.what, f"{self.done}/{self.total} {self.unit}" if self.total is not None else f"{self.done} {self.unit}",
                 f"elapsed {format_duration(elapsed)}"]
        if self.total is not None and self.done:
            parts.append(f"ETA {format_duration(elapsed / self.done * max(0, self.total - self.done))}")
        return " · ".join(parts)
