"""`stance classify PAGE`: the stance of every comment on a page or in a comment file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from stance.cli._app import app, echo_log, stderr_is_terminal


@app.command()
def classify(
    page: Annotated[str, typer.Argument(help="A page (plain text), or a JSONL/CSV file of comments; '-' reads stdin.")],
    target: Annotated[
        Optional[str], typer.Option(help="What the comments take a stance toward. Default: the article's title and lead.")
    ] = None,
    model: Annotated[
        Optional[str], typer.Option(help="Model directory or Hugging Face name. Default: the bundled model.")
    ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Where to write results; '-' is stdout.")] = "-",
    output_format: Annotated[
        Optional[str],
        typer.Option("--format", "-f", help="table, jsonl or csv. Default: from the -o suffix; a table on a terminal, else jsonl."),
    ] = None,
    input_format: Annotated[
        Optional[str], typer.Option(help="Force the input format: text, jsonl, csv or tsv (default: sniffed).")
    ] = None,
    text_column: Annotated[str, typer.Option(help="Column holding the comment text in JSONL/CSV input.")] = "text",
    batch_size: Annotated[int, typer.Option(min=1, help="Comments per model batch.")] = 32,
    force: Annotated[bool, typer.Option(help="Overwrite the -o file if it exists.")] = False,
) -> None:
    """Label every comment of PAGE as support, oppose, mixed or neutral, with a confidence.

    Prints one row per comment and a one-line summary of the thread. Examples:

    \b
      stance classify data/examples/car_free_riverside.txt

    \b
      stance classify comments.jsonl --target "Council bans cars from the old town" -o labelled.csv
    """
    from stance.classification import check_target, classify_thread, summarize
    from stance.classifier import StanceClassifier
    from stance.extract import read_thread
    from stance.files import atomic_file, check_writable
    from stance.output import OUTPUT_FORMATS, format_for_path, write_results

    fmt = output_format or format_for_path(output, is_terminal=output == "-" and sys.stdout.isatty())
    if fmt not in OUTPUT_FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(OUTPUT_FORMATS)}", param_hint="--format")
    check_target(target)
    if output != "-":
        check_writable(output, force)
    thread = read_thread(page, input_format, columns={"text": text_column})
    if not thread.comments:
        echo_log(f"{page}: no comments found")
        return
    if thread.declared_count is not None and thread.declared_count != len(thread.comments):
        echo_log(f"{page}: the page says {thread.declared_count} comments; found {len(thread.comments)}")
    classifier = StanceClassifier.from_pretrained(model, batch_size=batch_size)
    results = classify_thread(thread, classifier, target, progress=stderr_is_terminal())
    summary = summarize(results, classifier.labels)
    if output == "-":
        write_results(results, summary, classifier.labels, fmt, sys.stdout)
    else:
        with atomic_file(Path(output)) as stream:
            write_results(results, summary, classifier.labels, fmt, stream)
    if fmt != "table" or output != "-":
        echo_log(summary.describe())
