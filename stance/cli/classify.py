"""`stance classify PAGE`: the stance of every comment on a page or in a comment file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from stance.cli._app import (
    ForceOption,
    InputFormatOption,
    OutputFormatOption,
    OutputOption,
    PageArgument,
    TextColumnOption,
    app,
    echo_log,
    stderr_is_terminal,
)


@app.command()
def classify(
    page: PageArgument,
    target: Annotated[
        Optional[str], typer.Option(help="What the comments take a stance toward. Default: the article's title and lead.")
    ] = None,
    model: Annotated[
        Optional[str], typer.Option(help="Model directory or Hugging Face name. Default: the bundled model.")
    ] = None,
    output: OutputOption = "-",
    output_format: OutputFormatOption = None,
    input_format: InputFormatOption = None,
    text_column: TextColumnOption = "text",
    include_removed: Annotated[
        bool, typer.Option(help="Also classify comments the source flags as deleted or spam.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Comments per model batch.")] = 32,
    force: ForceOption = False,
) -> None:
    """Label every comment of PAGE as support, oppose, mixed or neutral, with a confidence.

    Prints one row per comment and a one-line summary of the thread. Examples:

    \b
      stance classify data/examples/car_free_riverside.txt

    \b
      stance classify saved_page.html --format csv -o labelled.csv

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
    classifier = StanceClassifier.from_pretrained(model, batch_size=batch_size)
    echo_log(f"{page}: {thread.describe()}")
    results = classify_thread(thread, classifier, target, include_removed=include_removed, progress=stderr_is_terminal())
    summary = summarize(results, classifier.labels)
    if output == "-":
        write_results(results, summary, classifier.labels, fmt, sys.stdout)
    else:
        with atomic_file(Path(output)) as stream:
            write_results(results, summary, classifier.labels, fmt, stream)
    if fmt != "table" or output != "-":
        echo_log(summary.describe())
