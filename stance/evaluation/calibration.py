"""Calibration: how far confidences match accuracy, and temperature scaling to bring them closer.

Temperature scaling divides the model's logits by one number T fitted on held-out labelled data
(the T that minimises the negative log-likelihood of the gold labels). It never changes which label
wins, only how confident the model says it is.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import numpy as np

from stance.core.labelled import LabelledComment, check_label_set
from stance.errors import DataError, ModelError, OutputError
from stance.model.classifier import StanceClassifier, combine_windows
from stance.model.storage import ModelSettings

MIN_EXAMPLES = 20
TEMPERATURE_BOUNDS = (0.05, 20.0)


@dataclass
class CalibrationResult:
    """What ``calibrate`` fitted and how the model scored before and after, on the same examples.

    "Before" is the model as loaded (at ``previous_temperature``, 1.0 unless it was calibrated already).
    """

    temperature: float
    ece_before: float
    ece_after: float
    nll_before: float
    nll_after: float
    n: int
    previous_temperature: float = 1.0
    task: str = "stance"  # the head whose temperature was fitted

    def render(self) -> str:
        """A short plain-text table: ECE and NLL before and after, and the temperature."""
        rows = [
            f"{'':14}{'before':>10}{'after':>10}",
            f"{'ECE':14}{self.ece_before:>10.4f}{self.ece_after:>10.4f}",
            f"{'NLL':14}{self.nll_before:>10.4f}{self.nll_after:>10.4f}",
            f"{'temperature':14}{self.previous_temperature:>10.3f}{self.temperature:>10.3f}",
            f"{self.task}, on {self.n} comments",
        ]
        if self.at_bound():
            rows.append(f"note: the temperature is at the edge of the search range {TEMPERATURE_BOUNDS}")
        return "\n".join(rows)

    def at_bound(self) -> bool:
        """Whether the fit stopped at the edge of the search range (the data may not suit the model)."""
        return any(math.isclose(self.temperature, bound, rel_tol=1e-3) for bound in TEMPERATURE_BOUNDS)


def reliability_bins(confidences: Sequence[float], correct: Sequence[bool], n_bins: int = 10) -> list[dict[str, float]]:
    """Equal-width confidence bins on [0, 1]: bounds, count, mean confidence and accuracy of each.

    A bin holds the confidences in (lower, upper]; the first also holds 0. Empty bins are left out.
    """
    conf, hits = _check_inputs(confidences, correct, n_bins)
    edges = np.arange(n_bins + 1) / n_bins
    index = np.searchsorted(edges[1:-1], conf, side="left")  # number of inner edges strictly below
    bins = []
    for b in range(n_bins):
        members = index == b
        count = int(members.sum())
        if count:
            bins.append(
                {
                    "lower": float(edges[b]),
                    "upper": float(edges[b + 1]),
                    "count": count,
                    "mean_confidence": float(conf[members].mean()),
                    "accuracy": float(hits[members].mean()),
                }
            )
    return bins


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], n_bins: int = 10) -> float:
    """Top-label ECE: over equal-width bins, |accuracy - mean confidence| weighted by the bin's share."""
    return _ece(reliability_bins(confidences, correct, n_bins))


def _ece(bins: list[dict[str, float]]) -> float:
    n = sum(b["count"] for b in bins)
    return float(sum(b["count"] / n * abs(b["accuracy"] - b["mean_confidence"]) for b in bins))


def plot_reliability(confidences: Sequence[float], correct: Sequence[bool], stream: IO[bytes], title: str = "") -> None:
    """Write a reliability diagram (PNG) to a binary stream: per-bin accuracy bars beside the diagonal."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    bins = reliability_bins(confidences, correct)
    figure = Figure(figsize=(4.5, 4.5))  # no pyplot: the caller's matplotlib backend stays as it is
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    lower = [b["lower"] for b in bins]
    width = [b["upper"] - b["lower"] for b in bins]
    accuracy = [b["accuracy"] for b in bins]
    axes.bar(lower, accuracy, width=width, align="edge", edgecolor="black", color="tab:blue", label="accuracy")
    axes.bar(
        lower, [b["mean_confidence"] - b["accuracy"] for b in bins], bottom=accuracy, width=width, align="edge",
        edgecolor="tab:red", color="tab:red", alpha=0.3, hatch="//", label="gap to mean confidence",
    )
    axes.plot([0, 1], [0, 1], "--", color="gray", label="perfect calibration")
    axes.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence", ylabel="accuracy")
    axes.set_title(title or f"ECE {_ece(bins):.3f} on {sum(b['count'] for b in bins)} comments")
    axes.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(stream, format="png", dpi=120)


def fit_temperature(classifier: StanceClassifier, examples: Sequence[LabelledComment], task: str | None = None) -> float:
    """The temperature of ``task``'s head (default: the model's own) that minimises the log-loss of
    the gold labels of ``examples``.

    Fit it on validation data, never on the test split. The model runs once; every candidate
    temperature reuses its logits.
    """
    return _Fit(classifier, examples, task).temperature


def calibrate(
    model_dir: str | Path,
    examples: Sequence[LabelledComment],
    *,
    task: str | None = None,
    data_name: str = "",
    progress: bool = False,
) -> CalibrationResult:
    """Fit the temperature of ``task``'s head (default: the model's own) of the model in
    ``model_dir`` on ``examples`` and record it in its stance.json.

    Only the temperature in stance.json changes (the file is replaced atomically); the weights are
    not rewritten. A plain Hugging Face directory without stance.json gets one.
    """
    directory = Path(model_dir)
    if not directory.is_dir():
        raise ModelError(f"{model_dir}: not a model directory; calibrating writes stance.json into it")
    if not os.access(directory, os.W_OK):
        raise OutputError(f"{model_dir}: cannot write there; calibrating writes stance.json into the model directory")
    classifier = StanceClassifier.from_pretrained(directory)
    task = classifier.resolve_task(task)
    fit = _Fit(classifier, examples, task, data_name=data_name, progress=progress)
    before, after = fit.scores(classifier.temperatures[task]), fit.scores(fit.temperature)
    settings = ModelSettings.read(directory) or replace(classifier.settings(), format="full")
    if task == settings.main_task:
        settings.temperature = fit.temperature
    else:
        settings.heads[task]["temperature"] = fit.temperature
    settings.write(directory)
    return CalibrationResult(
        temperature=fit.temperature,
        ece_before=before[0],
        ece_after=after[0],
        nll_before=before[1],
        nll_after=after[1],
        n=fit.n,
        previous_temperature=classifier.temperatures[task],
        task=task,
    )


class _Fit:
    """The model's window logits on labelled examples, scored at any temperature; fits the best one."""

    def __init__(
        self, classifier: StanceClassifier, examples: Sequence[LabelledComment], task: str | None = None, *,
        data_name: str = "", progress: bool = False,
    ) -> None:
        from scipy.optimize import minimize_scalar

        source = data_name or "calibration data"
        task = classifier.resolve_task(task)
        labels = classifier.tasks[task]
        check_label_set(examples, source, known=labels, task=task)
        examples = [example for example in examples if example.gold(task) is not None]
        if len(examples) < MIN_EXAMPLES:
            raise DataError(
                f"{source}: {len(examples)} labelled comments are too few to fit a temperature; "
                f"give at least {MIN_EXAMPLES} held-out comments (a validation split)"
            )
        self.n = len(examples)
        self.n_labels = len(labels)
        index = {label: i for i, label in enumerate(labels)}
        self.gold = np.array([index[example.gold(task)] for example in examples])
        self.logits, self.owners, self.weights = classifier.window_logits(
            [example.text for example in examples], [example.target for example in examples],
            parents=[example.parent for example in examples], task=task, progress=progress,
        )
        low, high = (math.log(bound) for bound in TEMPERATURE_BOUNDS)
        best = minimize_scalar(lambda log_t: self.nll(math.exp(log_t)), bounds=(low, high), method="bounded")
        self.temperature = float(math.exp(best.x))
        # The search assumes one minimum; never return a temperature worse than the model's own.
        if self.nll(classifier.temperatures[task]) < self.nll(self.temperature):
            self.temperature = classifier.temperatures[task]

    def probabilities(self, temperature: float) -> np.ndarray:
        return combine_windows(self.logits, self.owners, self.weights, self.n, temperature)

    def nll(self, temperature: float) -> float:
        from sklearn.metrics import log_loss

        return float(log_loss(self.gold, self.probabilities(temperature), labels=list(range(self.n_labels))))

    def scores(self, temperature: float) -> tuple[float, float]:
        """ECE and NLL at ``temperature``."""
        probs = self.probabilities(temperature)
        ece = expected_calibration_error(probs.max(axis=1), probs.argmax(axis=1) == self.gold)
        return ece, self.nll(temperature)


def _check_inputs(confidences: Sequence[float], correct: Sequence[bool], n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    conf = np.asarray(confidences, dtype=np.float64).ravel()
    hits = np.asarray(correct, dtype=bool).ravel()
    if len(conf) != len(hits):
        raise ValueError(f"got {len(conf)} confidences and {len(hits)} correctness flags; expected one each")
    if not len(conf):
        raise ValueError("no confidences to bin")
    if np.isnan(conf).any() or conf.min() < 0 or conf.max() > 1:
        raise ValueError("confidences must lie in [0, 1]")
    if n_bins < 1:
        raise ValueError(f"n_bins {n_bins}: expected at least 1")
    return conf, hits
