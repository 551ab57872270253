"""`stance classify PAGE`: the stance of every comment on a page or in a comment file."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from stance.cli._app import (
    DeviceOption,
    ForceOption,
    InputFormatOption,
    OutputFormatOption,
    OutputOption,
    PageArgument,
    TextColumnOption,
    ThreadsOption,
    app,
    echo_log,
    stderr_is_terminal,
    stop_interrupted,
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
        bool, typer.Option(help="Also classify comments the source flags as deleted, spam or orphaned (their article is missing from an export).")
    ] = False,
    batch_size: Annotated[
        Optional[int], typer.Option(min=1, help="Comments per model batch. Default: the fastest measured for the precision (int8 8, bf16 64, fp32 32).")
    ] = None,
    precision: Annotated[
        str,
        typer.Option(help="auto (int8 on the CPU, bf16 or fp32 on a GPU), fp32 (the reference), bf16 or int8 (ONNX Runtime, "
                     "CPU only; the first run of a model builds it into ~/.cache/stance or $STANCE_CACHE). "
                     "See README, Speed, for how much each changes the labels."),
    ] = "auto",
    device: DeviceOption = "auto",
    threads: ThreadsOption = None,
    resume: Annotated[
        bool,
        typer.Option(help="Continue an interrupted run into the same -o file: records already written are kept, not redone."),
    ] = False,
    force: ForceOption = False,
) -> None:
    """Label every comment of PAGE as support, oppose, mixed or neutral, with a confidence.

    Prints one row per comment and a one-line summary of the thread. Comment files (JSONL/CSV) of
    any size are streamed; an -o file in JSONL or CSV grows as FILE.partial and gets its name when
    complete, and a killed run continues with --resume. Examples:

    \b
      stance classify data/examples/car_free_riverside.txt

    \b
      stance classify saved_page.html --format csv -o labelled.csv

    \b
      stance classify comments.jsonl --target "Council bans cars from the old town" -o labelled.csv

    \b
      stance classify forum_dump.jsonl.gz -o labelled.jsonl --resume
    """
    from stance.classify.run import classify_file
    from stance.classify.stream import check_target
    from stance.classify.writers import check_format, format_for_path
    from stance.extract.language import unfamiliar_majority
    from stance.files import check_writable, complete_records, partial_path
    from stance.model.classifier import StanceClassifier

    fmt = output_format or format_for_path(output, is_terminal=output == "-" and sys.stdout.isatty())
    check_format(fmt)
    if resume and (output == "-" or fmt == "table"):
        raise typer.BadParameter("needs -o FILE in jsonl or csv format", param_hint="--resume")
    check_target(target)
    if output != "-":
        check_writable(output, force)
    classifier = StanceClassifier.from_pretrained(
        model, batch_size=batch_size, precision=precision, device=device, threads=threads
    )
    try:
        outcome = classify_file(
            page, classifier, output, fmt, target=target, input_format=input_format, columns={"text": text_column},
            include_removed=include_removed, resume=resume, progress=stderr_is_terminal(),
        )
    except KeyboardInterrupt:
        if output == "-":
            stop_interrupted("stopped: the comments not yet written are not classified")
        kept = partial_path(output)
        if kept.exists():
            stop_interrupted(f"stopped: {complete_records(kept, fmt)} records are in {kept}; the same command with --resume continues")
        stop_interrupted(f"stopped: nothing written to {output}")
    if outcome.thread.comments:
        echo_log(f"{page}: {outcome.thread.describe()}")
    if outcome.resumed:
        echo_log(f"resumed: kept {outcome.resumed} records from {partial_path(output)}")
    if outcome.summary.total == 0:
        echo_log(f"{page}: no comments found")
    elif fmt != "table" or output != "-":
        echo_log(outcome.summary.describe())
    unfamiliar = unfamiliar_majority(outcome.summary.languages, classifier.languages or [])
    if classifier.languages and unfamiliar:
        found = ", ".join(f"{language} {n}" for language, n in unfamiliar.items())
        echo_log(f"warning: most comments are in a language the model was not trained on ({found} of "
                 f"{sum(outcome.summary.languages.values())} whose language could be told; it was trained on "
                 f"{', '.join(classifier.languages)}): their labels are unreliable")
