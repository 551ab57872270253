"""An evaluation report as text, Markdown with its plots, and JSON; and several reports side by side."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stance.errors import InputError, OutputError
from stance.evaluation.evaluate import MODEL, EvaluationReport
from stance.io.files import cannot_write

REPORT_JSON = "report.json"
REPORT_MD = "report.md"
CONFUSION_PNG = "confusion_matrix.png"
RELIABILITY_PNG = "reliability.png"
SYSTEM_NAMES = {MODEL: "model", "majority": "majority", "tfidf_logreg": "tf-idf+lr"}
SHOWN_GROUPS = 10


def _figure(label: str, report: EvaluationReport) -> str:
    return f"{label} {report.metrics[report.headline]:.3f}"


def _headline_names(report: EvaluationReport) -> list[str]:
    names = ["accuracy", "macro_f1", "weighted_f1", "kappa"]
    for name in ("f1_support_oppose", report.headline):
        if name in report.metrics and name not in names:
            names.append(name)
    return names + [f"f1_{label}" for label in report.labels if f"f1_{label}" in report.metrics]


def _cell(system: Any, name: str) -> str:
    low, high = system.intervals[name]
    return f"{system.metrics[name]:.3f} [{low:.2f}, {high:.2f}]"


def _comparison_lines(report: EvaluationReport) -> list[str]:
    lines = []
    for name, comparison in report.comparisons.items():
        difference, test = comparison["difference"], comparison["mcnemar"]
        verdict = "a real lead" if difference["significant"] and difference["difference"] > 0 else (
            "a real deficit" if difference["significant"] else "not significant")
        lines.append(
            f"model vs {SYSTEM_NAMES[name]}: {report.headline} {difference['difference']:+.3f} "
            f"[{difference['low']:+.3f}, {difference['high']:+.3f}] ({verdict}; paired bootstrap p={difference['p_value']:.3f}); "
            f"McNemar p={test['p_value']:.3g} (only model right {test['only_a_right']}, only baseline right {test['only_b_right']})"
        )
    return lines


def _matrix_lines(labels: Sequence[str], matrix: Sequence[Sequence[float]], fmt: str) -> list[str]:
    width = max(len(label) for label in labels) + 2
    lines = [" " * width + "".join(f"{label:>{width}}" for label in labels) + "   <- predicted"]
    lines += [f"{label:<{width}}" + "".join(f"{value:>{width}{fmt}}" for value in row) for label, row in zip(labels, matrix)]
    return lines


def render_text(report: EvaluationReport) -> str:
    """The report for a terminal: scores with 95 % intervals beside the baselines, tests, calibration,
    the classification report, confusion matrices, breakdowns and the most confident mistakes."""
    systems = list(report.systems)
    rows = [f"{'':22}" + "".join(f"{SYSTEM_NAMES.get(s, s):>24}" for s in systems)]
    rows += [f"{name:22}" + "".join(f"{_cell(report.systems[s], name):>24}" for s in systems) for name in _headline_names(report)]
    calibration = report.calibration
    lines = [
        f"{report.n} comments, {report.task}, model {report.model or '?'}, data {report.data or '?'}; headline score: {report.headline}",
        f"scores with 95 % bootstrap intervals; {report.baselines}",
        "",
        *rows,
        "",
        *(f"note: {note}" for note in report.notes),
        *_comparison_lines(report),
        f"calibration: expected calibration error {calibration['ece']:.3f} (mean confidence "
        f"{calibration['mean_confidence']:.3f}, accuracy {calibration['accuracy']:.3f})",
        "",
        report.classification_report,
        "confusion matrix (rows: gold)",
        *_matrix_lines(report.labels, report.confusion_matrix, "d"),
        "",
        "row-normalised (recall per gold label on the diagonal)",
        *_matrix_lines(report.labels, report.confusion_matrix_normalized, ".2f"),
    ]
    for kind, title in (("length", "by comment length"), ("group", "by group (largest first)")):
        lines += ["", f"{title}: n, accuracy, macro-F1"]
        lines += [
            f"  {row['group'][:60]:60} {row['n']:5d} {row['accuracy']:8.3f} {row['macro_f1']:8.3f}"
            for row in report.breakdowns[kind][:SHOWN_GROUPS]
        ]
    lines += ["", "most confident mistakes (gold -> predicted, confidence):"]
    lines += [
        f"  {m['gold']} -> {m['predicted']} {m['confidence']:.2f}: {' '.join(m['text'].split())[:110]}"
        for m in report.mistakes
    ]
    return "\n".join(lines)


def render_markdown(report: EvaluationReport) -> str:
    """The report as Markdown, with the plots written beside it embedded."""
    systems = list(report.systems)
    header = "| score | " + " | ".join(SYSTEM_NAMES.get(s, s) for s in systems) + " |"
    table = [header, "|---" * (len(systems) + 1) + "|"]
    table += [f"| {name} | " + " | ".join(_cell(report.systems[s], name) for s in systems) + " |" for name in _headline_names(report)]

    def breakdown(kind: str) -> list[str]:
        rows = ["| group | n | accuracy | macro-F1 |", "|---|---:|---:|---:|"]
        return rows + [
            f"| {row['group'][:80].replace('|', '/')} | {row['n']} | {row['accuracy']:.3f} | {row['macro_f1']:.3f} |"
            for row in report.breakdowns[kind][:SHOWN_GROUPS]
        ]

    mistakes = ["| gold | predicted | confidence | comment |", "|---|---|---:|---|"]
    mistakes += [
        f"| {m['gold']} | {m['predicted']} | {m['confidence']:.2f} | {' '.join(m['text'].split())[:200].replace('|', '/')} |"
        for m in report.mistakes
    ]
    return "\n".join(
        [
            f"# Evaluation of {report.model or 'a model'} on {report.data or 'labelled data'}",
            "",
            f"{report.n} comments. Headline score: **{report.headline}**. Scores with 95 % bootstrap intervals; "
            f"{report.baselines}.",
            "",
            *table,
            "",
            *[f"- Note: {note}" for note in report.notes],
            *([""] if report.notes else []),
            *[f"- {line}" for line in _comparison_lines(report)],
            "",
            "## Per label",
            "",
            "```text",
            report.classification_report.rstrip(),
            "```",
            "",
            f"![confusion matrix]({CONFUSION_PNG})",
            "",
            "## Calibration",
            "",
            f"Expected calibration error {report.calibration['ece']:.3f}: mean confidence "
            f"{report.calibration['mean_confidence']:.3f} against accuracy {report.calibration['accuracy']:.3f}.",
            "",
            f"![reliability diagram]({RELIABILITY_PNG})",
            "",
            "## By comment length",
            "",
            *breakdown("length"),
            "",
            "## By group (largest first)",
            "",
            *breakdown("group"),
            "",
            "## Most confident mistakes",
            "",
            *mistakes,
            "",
        ]
    )


def write_report(report: EvaluationReport, output_dir: str | Path) -> None:
    """Write report.json, report.md and the two plots into ``output_dir``, each file atomically; where one cannot
    be written, a folder made for them is removed again."""
    folder = Path(output_dir)
    created = not folder.exists()
    try:
        _write_files(report, folder)
    except OutputError:  # a full disk: no half-written report left, and no folder made for it
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _write_files(report: EvaluationReport, folder: Path) -> None:
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.metrics import ConfusionMatrixDisplay

    from stance.evaluation.calibration import plot_reliability
    from stance.io.files import atomic_file

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise cannot_write(folder, err) from None
    figure = Figure(figsize=(10, 4.5))  # no pyplot: the caller's matplotlib backend stays as it is
    FigureCanvasAgg(figure)
    raw_axes, normalized_axes = figure.subplots(1, 2)
    ConfusionMatrixDisplay(np.asarray(report.confusion_matrix), display_labels=report.labels).plot(ax=raw_axes, colorbar=False)
    ConfusionMatrixDisplay(np.asarray(report.confusion_matrix_normalized), display_labels=report.labels).plot(
        ax=normalized_axes, colorbar=False, values_format=".2f"
    )
    raw_axes.set_title(f"counts ({_figure(report.headline, report)})")
    normalized_axes.set_title("row-normalised (recall)")
    figure.tight_layout()
    with atomic_file(folder / CONFUSION_PNG, "wb") as handle:
        figure.savefig(handle, format="png", dpi=110)
    with atomic_file(folder / RELIABILITY_PNG, "wb") as handle:
        plot_reliability(
            np.asarray(report.calibration["confidences"]),
            np.asarray(report.calibration["correct"], dtype=bool),
            handle,
            title=f"ECE {report.calibration['ece']:.3f} on {report.n} comments",
        )
    report.files = {name: str(folder / file) for name, file in
                    (("report", REPORT_JSON), ("markdown", REPORT_MD), ("confusion_matrix", CONFUSION_PNG), ("reliability", RELIABILITY_PNG))}
    with atomic_file(folder / REPORT_MD) as handle:
        handle.write(render_markdown(report))
    with atomic_file(folder / REPORT_JSON) as handle:
        json.dump(report.to_dict(), handle, indent=2)
        handle.write("\n")


def load_report(path: str | Path) -> dict[str, Any]:
    """A report.json (or the folder holding one), checked to be an evaluation report."""
    file = Path(path) / REPORT_JSON if Path(path).is_dir() else Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{file}: cannot read ({err.strerror or err}); pass a report.json written by `stance evaluate`") from None
    except json.JSONDecodeError as err:
        raise InputError(f"{file}: not valid JSON ({err.msg}); pass a report.json written by `stance evaluate`") from None
    if not isinstance(data, dict) or "systems" not in data or MODEL not in data.get("systems", {}):
        raise InputError(f"{file}: not an evaluation report (no 'systems'); pass a report.json written by `stance evaluate`")
    return data


def render_comparison(paths: Sequence[str | Path]) -> str:
    """Several reports' model scores side by side, with their 95 % intervals."""
    reports = [(str(path), load_report(path)) for path in paths]
    names: list[str] = []
    for _, data in reports:
        names += [name for name in data["systems"][MODEL]["metrics"] if name not in names]
    header = f"{'':22}" + "".join(f"{_report_label(path)[:26]:>28}" for path, _ in reports)
    lines = [header, f"{'comments':22}" + "".join(f"{data['n']:>28}" for _, data in reports)]
    for name in names:
        cells = []
        for _, data in reports:
            system = data["systems"][MODEL]
            if name in system["metrics"]:
                low, high = system["intervals"][name]
                cells.append(f"{system['metrics'][name]:.3f} [{low:.2f}, {high:.2f}]")
            else:
                cells.append("-")
        lines.append(f"{name:22}" + "".join(f"{cell:>28}" for cell in cells))
    lines += ["", *[f"{_report_label(path)}: model {data.get('model') or '?'} on {data.get('data') or '?'}" for path, data in reports]]
    return "\n".join(lines)


def _report_label(path: str | Path) -> str:
    """A report's folder name (``runs/test/report.json`` → ``test``), else its file name."""
    file = Path(path)
    return file.name if file.is_file() and file.name != REPORT_JSON else (file.parent.name if file.name == REPORT_JSON else file.name)
