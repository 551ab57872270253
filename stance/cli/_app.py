"""The typer app the command modules register on."""

from __future__ import annotations

import dataclasses
import os
import sys
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

if TYPE_CHECKING:
    from stance.io.web import WebClient

from stance.training.config import (
    DEFAULT_TRAINABLE_LAYERS,
    LEARNING_RATES,
    TrainingConfig,
)

app = typer.Typer(
    name="stance",
    help=(
        "Label every reader comment under an article as support, oppose, mixed or neutral.\n\n"
        "\b\n"
        "  stance classify page.txt                      label the comments of a page\n"
        "  stance train labelled.csv -o my-model         fine-tune on your own labelled comments\n"
        "  stance suggest pages/ -n 100 -o to_label.csv  the comments worth labelling next, for your own model\n"
        "  stance report page.html -o report.html        the comment section as one page: charts, reply tree, filters\n"
        "  stance evaluate test.jsonl --model my-model   score a model beside baselines, with intervals\n"
        "  stance calibrate val.jsonl --model my-model   make its confidences mean what they say\n"
        "  stance compare report-a/ report-b/            lay evaluation reports side by side\n"
        "  stance extract page.html                      the comments of a page, without labels\n"
        "  stance export my-compact-model plain-model    write a plain Hugging Face directory\n"
        "  stance info                                   versions, default model, device: for bug reports"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from stance import __version__

        typer.echo(f"stance {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Label every reader comment under an article as support, oppose, mixed or neutral."""


def stderr_is_terminal() -> bool:
    """Progress bars only when a person watches stderr."""
    return sys.stderr.isatty()


def echo_log(message: str) -> None:
    """Logs go to stderr; stdout is for data."""
    typer.echo(message, err=True)


def check_stdout_format(fmt: str, output: str) -> None:
    """Parquet is bytes: it goes to a file or a pipe, never onto a terminal."""
    if fmt == "parquet" and output == "-" and sys.stdout.isatty():
        raise typer.BadParameter("parquet is written to a file: give -o FILE.parquet", param_hint="--format")


def stop_interrupted(message: str) -> NoReturn:
    """After Ctrl-C: say what was kept, and exit (130) at once rather than wait for work still
    running in a worker thread, which the interpreter would join at exit. Outputs are closed by now."""
    echo_log(message)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


# Options that every command reading a page shares.
PageArgument = Annotated[
    str,
    typer.Argument(
        help="A saved web page (.html, .html.gz), a plain-text page, a platform export (Disqus/WordPress XML, "
        "Reddit/yt-dlp/Hacker News/Discourse JSON) or a JSONL/CSV file of comments; '-' reads stdin. Or a link: an "
        "article, a Reddit thread, a Hacker News item, a WordPress or Discourse page (fetched once, then kept)."
    ),
]
InputFormatOption = Annotated[
    Optional[str],
    typer.Option(help="Force the input format (text, html, jsonl, csv, tsv, parquet, disqus, wxr, reddit, ytdlp, hackernews, discourse); default: sniffed."),
]
TextColumnOption = Annotated[str, typer.Option(help="Column holding the comment text in JSONL/CSV/Parquet input.")]
OutputOption = Annotated[str, typer.Option("--output", "-o", help="Where to write the records; '-' is stdout.")]
OutputFormatOption = Annotated[
    Optional[str],
    typer.Option("--format", "-f", help="table, jsonl, csv or parquet. Default: from the -o suffix; a table on a terminal, else jsonl."),
]
ForceOption = Annotated[bool, typer.Option(help="Overwrite the -o file if it exists.")]
DeviceOption = Annotated[
    str,
    typer.Option(help="auto (a CUDA or Apple GPU where torch sees one, else the CPU), cpu, cuda or mps. "
                 "`stance info` shows what auto picks here."),
]

ThreadsOption = Annotated[
    Optional[int],
    typer.Option(
        envvar="STANCE_THREADS", show_envvar=True,
        help="CPU threads to compute with. Default: every core this process may use; lower it when other jobs "
             "share the machine (threads fighting over cores run several times slower; 1 is safe).",
    ),
]


# Options of the commands that read labelled comments (train, evaluate, calibrate).
LabelledDataArgument = Annotated[
    str, typer.Argument(help="Labelled comments: JSONL or CSV with text, label and optional target columns.")
]
TextColumnLabelledOption = Annotated[str, typer.Option("--text-column", help="Column with the comment text.")]
LabelColumnOption = Annotated[
    Optional[str],
    typer.Option(
        help="Column with the stance label (support/oppose/mixed/neutral, favor/against/none, or your own) "
        "[default: label]."
    ),
]
LabelMapOption = Annotated[
    Optional[str],
    typer.Option(
        metavar="FROM=TO,...",
        help="Rename stance labels before anything else, e.g. deny=oppose,comment=neutral,query=neutral,unrelated=drop "
        "(drop: no stance label; a row left with no label is skipped). Case does not matter.",
    ),
]
SentimentColumnOption = Annotated[
    Optional[str],
    typer.Option(help="Column with the sentiment label (positive/negative/neutral/mixed). A row may then carry a stance "
                 "label, a sentiment label or both; a file without the stance column gives sentiment only."),
]
TargetColumnOption = Annotated[str, typer.Option(help="Column with what the comment responds to (optional).")]
DefaultTargetOption = Annotated[str, typer.Option("--target", help="Target for rows without a target column value.")]
ParentColumnOption = Annotated[
    str,
    typer.Option(help="Column with the text of the comment a row replies to (optional). A model trained with it reads "
                 "each reply after its parent, and `stance classify` gives it the parents it extracts."),
]

# Options that say how to fine-tune (train, and cross-validation in evaluate); their defaults are the config's.
TRAINING = TrainingConfig()
BaseModelOption = Annotated[
    str,
    typer.Option(help="Hugging Face name or directory to fine-tune (offline: must be on disk or in the HF cache), or a "
                 "trained stance model (e.g. models/default) whose encoder then starts training, with new heads for new labels."),
]
EpochsOption = Annotated[float, typer.Option(help="Passes over the training data.")]
LearningRateOption = Annotated[
    Optional[float],
    typer.Option(help=f"Default: {LEARNING_RATES['frozen']:g} where layers are frozen (the default), {LEARNING_RATES['all']:g} with "
                 f"--trainable-layers all, {LEARNING_RATES['lora']:g} for lora."),
]
MaxLengthOption = Annotated[int, typer.Option(help="Tokens per window (target + comment).")]
SeedOption = Annotated[int, typer.Option(help="Random seed for splits, initialisation and shuffling.")]


TrainableLayersOption = Annotated[
    Optional[str],
    typer.Option(
        metavar="N|all",
        help="How many of the encoder's top layers train. The embeddings and the layers below are frozen and run once "
             "per comment, so each epoch costs a fraction of full fine-tuning (several times faster on a CPU). 'all' "
             f"trains every weight. [default: {DEFAULT_TRAINABLE_LAYERS}; all with --method lora]",
    ),
]
TrainingPrecisionOption = Annotated[
    str,
    typer.Option(help="What training computes in: auto (bf16 mixed precision on a CUDA GPU and on a CPU with AMX, "
                 "where it is much faster; else fp32), fp32 or bf16."),
]


CacheDirOption = Annotated[
    Optional[str],
    typer.Option(help="Where fetched pages and API answers are kept, so that a rerun reads them offline. "
                 "Default: ~/.cache/stance/web (or $STANCE_CACHE/web)."),
]
RefreshOption = Annotated[bool, typer.Option(help="Fetch links again though their answers are kept.")]
IgnoreRobotsOption = Annotated[bool, typer.Option(help="Fetch links their site's robots.txt asks tools not to read.")]
TimeoutOption = Annotated[float, typer.Option(min=0.1, help="Seconds a site may stay silent before a link fails (each of its tries).")]
MoreCommentsOption = Annotated[
    int, typer.Option(min=0, help="The most comments fetched behind a Reddit thread's \"load more\" links.")
]


def web_client(cache_dir: str | None, refresh: bool, ignore_robots: bool, more: int, timeout: float) -> WebClient:
    """The one client that fetches every link of a command, from its flags."""
    from pathlib import Path

    from stance.io.web import WebClient, WebSettings

    settings = WebSettings(refresh=refresh, obey_robots=not ignore_robots, reddit_more=more, timeout=timeout)
    if cache_dir is not None:
        settings = dataclasses.replace(settings, cache_dir=Path(cache_dir))
    return WebClient(settings)
