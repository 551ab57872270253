"""`stance report INPUT... -o report.html`: a comment section (or many) as one page to look at."""

from __future__ import annotations

import sys
from typing import Annotated, List, Optional

import typer

from stance.cli._app import (
    DeviceOption,
    ForceOption,
    InputFormatOption,
    TextColumnOption,
    ThreadsOption,
    app,
    echo_log,
    stderr_is_terminal,
)
from stance.cli._progress import CountProgress


@app.command()
def report(
    inputs: Annotated[
        List[str],
        typer.Argument(metavar="INPUT...", help="What `stance classify` wrote (JSONL, CSV, Parquet, or a folder of them), shown with "
                       "its labels as they are; or pages, exports and comment files, classified first. Folders and quoted globs "
                       "give one section per file (and per target in it); '-' reads stdin."),
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="The HTML file to write.")] = "report.html",
    model: Annotated[
        Optional[str], typer.Option(help="The model that labels inputs not classified yet; its languages decide the language "
                                    "warning. Default: the bundled model.")
    ] = None,
    target: Annotated[
        Optional[str], typer.Option(help="What the comments take a stance toward, for inputs classified here. Default: the article's title and lead.")
    ] = None,
    input_format: InputFormatOption = None,
    text_column: TextColumnOption = "text",
    include_removed: Annotated[bool, typer.Option(help="Also show comments the source flags as deleted, spam or orphaned.")] = False,
    precision: Annotated[str, typer.Option(help="As for `stance classify`: auto, fp32, bf16 or int8.")] = "auto",
    device: DeviceOption = "auto",
    threads: ThreadsOption = None,
    force: ForceOption = False,
) -> None:
    """Write one self-contained HTML page of a comment section: how it splits by stance and sentiment,
    the two crossed, stance over time and by reply depth, the reply tree with the replies that take the
    other side marked, the comments the model is least sure of and the most liked of each stance.

    The page opens offline (every style, script and datum is inside it): filter by label, search the
    text, open threads. Several inputs or a folder give an overview table, one row per article,
    sortable by size and by each share. Examples:

    \b
      stance report page.html -o report.html
      stance classify reddit_thread.json -o labelled.jsonl && stance report labelled.jsonl -o thread.html
      stance report labelled/ -o outlets.html
    """
    from stance.io.files import check_writable
    from stance.model.runtime import Runtime
    from stance.report.report import make_report

    if output == "-" or not output.lower().endswith((".html", ".htm")):
        raise typer.BadParameter(f"{output}: name an .html file to write", param_hint="-o/--output")
    check_writable(output, force)
    runtime = Runtime(device=device, precision=precision, threads=threads)
    outcome = make_report(
        inputs, output, model=model, runtime=runtime, target=target, input_format=input_format, columns={"text": text_column},
        include_removed=include_removed, progress=CountProgress(sys.stderr, bar=stderr_is_terminal()),
    )
    sections = len(outcome.sections)
    labelled = f"; {outcome.classified_here} labelled now" if outcome.classified_here else "; labels as read"
    echo_log(f"{output}: {sections} comment section{'s' * (sections != 1)}, {outcome.comments} comments{labelled}")
