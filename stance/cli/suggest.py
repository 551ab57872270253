"""`stance suggest COMMENTS... -n 100 -o to_label.csv`: the comments whose labels would teach the model most."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, List, Optional

import typer

from stance.cli._app import (
    DeviceOption,
    ForceOption,
    InputFormatOption,
    TextColumnOption,
    ThreadsOption,
    app,
    echo_log,
)
from stance.suggest import DEFAULT_STRATEGY

if TYPE_CHECKING:
    from stance.suggest.suggest import Suggestion

SUGGEST_FORMATS = ("csv", "jsonl", "labelstudio")


@app.command()
def suggest(
    inputs: Annotated[
        List[str],
        typer.Argument(metavar="COMMENTS...", help="What `stance classify` reads: pages, exports, JSONL/CSV/Parquet comment files, "
                       "folders or quoted globs; '-' reads stdin."),
    ],
    n: Annotated[int, typer.Option("-n", min=1, help="How many comments to suggest.")] = 100,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Where to write them: .csv (a spreadsheet), .jsonl, or .json (Label Studio tasks, "
                          "with its labelling config beside it as NAME.label_config.xml); '-' is CSV on stdout.")
    ] = "-",
    output_format: Annotated[
        Optional[str], typer.Option("--format", "-f", help=f"{', '.join(SUGGEST_FORMATS)}. Default: from the -o suffix.")
    ] = None,
    model: Annotated[Optional[str], typer.Option(help="The model to improve: the one you will train on. Default: the bundled model.")] = None,
    strategy: Annotated[
        str, typer.Option(help="random (a seeded sample), diverse (the comments the model is least sure of, spread over what people "
                          "say: one per cluster) or uncertainty (the least sure alone). Random is the default: on two real pools "
                          "neither of the others taught the model more per label (scripts/bench_active.py).")
    ] = DEFAULT_STRATEGY,
    exclude: Annotated[
        Optional[List[str]], typer.Option(help="A file of comments labelled already (CSV/JSONL with a text column, or a Label Studio "
                                           "export): none of them is suggested again. Repeat for several.")
    ] = None,
    target: Annotated[
        Optional[str], typer.Option(help="What the comments respond to. Default: each comment's own target, else its article's title and lead.")
    ] = None,
    input_format: InputFormatOption = None,
    text_column: TextColumnOption = "text",
    include_removed: Annotated[bool, typer.Option(help="Also suggest comments the source flags as deleted, spam or orphaned.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the random choices (random, and the clusters of diverse).")] = 0,
    precision: Annotated[str, typer.Option(help="fp32, bf16, or auto (bf16 where it runs fast, else fp32). The choice reads the "
                                           "model's vectors, which int8 does not give.")] = "auto",
    device: DeviceOption = "auto",
    threads: ThreadsOption = None,
    force: ForceOption = False,
) -> None:
    """Choose the comments to label next and write them with the model's guesses and empty `stance`
    and `sentiment` columns to fill in.

    The choice is shared evenly across articles (targets); copies of one comment count once (`copies`
    says how many more there are), and comments in --exclude files are never suggested again. By
    default it is a seeded random sample, which taught the model as much per label as choosing the
    comments it is least sure of (--strategy uncertainty, or diverse: those spread over what people
    say) in our measurements; see docs/benchmarks.md. Then train on them, continuing the model, and
    ask again. A round:

    \b
      stance suggest page.html other_pages/ -n 100 -o round1.csv
      (fill in the stance and sentiment columns; leave a row blank to skip it)
      stance train round1.csv --label-column stance --sentiment-column sentiment --init-from default -o model1
      stance suggest page.html other_pages/ --model model1 --exclude round1.csv -n 100 -o round2.csv
      stance train round1.csv round2.csv --label-column stance --sentiment-column sentiment --init-from default -o model2
    \b
    With -o tasks.json the comments become Label Studio tasks, the guesses pre-annotations; import
    the tasks and paste tasks.label_config.xml as the project's labelling config. `stance train`
    reads Label Studio's JSON (or JSON_MIN) export as it is.
    """
    from stance.io.files import check_writable
    from stance.model.classifier import StanceClassifier
    from stance.model.precision import vector_precision
    from stance.model.runtime import Runtime
    from stance.suggest.choosing import check_strategy
    from stance.suggest.pool import count_labelled, labelled_keys, read_pool
    from stance.suggest.suggest import suggest as choose_comments

    check_strategy(strategy)  # before the comments are read and the model loaded
    fmt = output_format or _format_of(output)
    if fmt not in SUGGEST_FORMATS:
        raise typer.BadParameter(f"{fmt!r}: expected one of {', '.join(SUGGEST_FORMATS)}", param_hint="--format")
    if fmt == "labelstudio" and output == "-":
        raise typer.BadParameter("Label Studio tasks go to a file with their labelling config beside it: give -o NAME.json", param_hint="--output")
    if output != "-":
        check_writable(output, force)
    pool, copies = read_pool(inputs, target=target, input_format=input_format, columns={"text": text_column}, include_removed=include_removed)
    excluded = labelled_keys(exclude or [], text_column)
    runtime = Runtime(device=device, precision=vector_precision(precision, device), threads=threads)
    classifier = StanceClassifier.from_pretrained(model, runtime=runtime)
    echo_log(f"{len(pool)} comments ({copies} copies collapsed)"
             + (f", {count_labelled(pool, excluded)} labelled already" if excluded else "")
             + f"; choosing {n} by {strategy} with {model or 'the bundled model'}")
    chosen = choose_comments(pool, classifier, n, strategy=strategy, exclude=excluded, seed=seed, progress=sys.stderr.isatty())
    _write(chosen, classifier.tasks, fmt, output, model_version=str(model or "stance default"))
    targets = len({s.comment.target for s in chosen})
    short = f" (only {len(chosen)} {'not labelled yet' if excluded else 'in the inputs'}; asked for {n})" if len(chosen) < n else ""
    echo_log(f"{len(chosen)} comments to label" + (f" across {targets} targets" if targets > 1 else "")
             + ("" if output == "-" else f" in {output}") + short)


def _format_of(output: str) -> str:
    """What -o implies: Label Studio tasks for .json (a list, as Label Studio imports it), else the records
    format its suffix names, CSV where it names none."""
    from stance.io.outputs import format_for_path

    if output.lower().endswith(".json"):
        return "labelstudio"
    fmt = format_for_path(output, is_terminal=True)
    return "csv" if fmt == "table" else fmt


def _write(chosen: list[Suggestion], tasks: dict[str, list[str]], fmt: str, output: str, model_version: str) -> None:
    from stance.io.files import atomic_file
    from stance.io.labelstudio import labelling_config, write_tasks
    from stance.io.records import write_records

    if fmt == "labelstudio":
        config = labelling_config(tasks)
        written = write_tasks(output, [s.to_label_studio(tasks, model_version, i) for i, s in enumerate(chosen, start=1)], config)
        echo_log(f"labelling config: {written}")
        return
    records = [s.to_record(tasks) for s in chosen]
    if output == "-":
        write_records(records, fmt, sys.stdout)
        return
    with atomic_file(output) as stream:
        write_records(records, fmt, stream)
