"""How often progress is reported and how a duration reads in a progress line, for training and the CLI alike
(kept apart from the training loop so that reading it does not import transformers)."""

from __future__ import annotations

PROGRESS_INTERVAL_SECONDS = 30.0  # between one-line records when no one watches a bar


def format_duration(seconds: float) -> str:
    """``1h02m``, ``4m05s`` or ``12s``: short enough for a progress line."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
