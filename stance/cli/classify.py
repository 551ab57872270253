"""`stance classify PAGE`: the stance of every comment on a page or in a comment file."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, List, Optional

import typer

from stance.cli._app import (
    CacheDirOption,
    DeviceOption,
    ForceOption,
    IgnoreRobotsOption,
    InputFormatOption,
    MoreCommentsOption,
    OutputFormatOption,
    OutputOption,
    RefreshOption,
    TextColumnOption,
    ThreadsOption,
    TimeoutOption,
    app,
    check_stdout_format,
    echo_log,
    stderr_is_terminal,
    stop_interrupted,
    web_client,
)
from stance.cli._progress import CountProgress
from stance.errors import InputError

if TYPE_CHECKING:
    from stance.classify.stream import ThreadSummary
    from stance.model.runtime import Runtime


@app.command()
def classify(
    pages: Annotated[
        Optional[List[str]],
        typer.Argument(
            metavar="PAGE...",
            help="A saved web page (.html, .html.gz), a plain-text page, a platform export (Disqus/WordPress XML, "
            "Reddit/yt-dlp/Hacker News/Discourse JSON) or a JSONL/CSV/TSV/Parquet file of comments (plain, .gz or .zst); "
            "'-' reads stdin. Several files, a folder or a quoted glob ('dump/*.jsonl.zst') are classified each into "
            "its own file in the -o folder. Or links: an article, a Reddit thread, a Hacker News item, a WordPress or "
            "Discourse page, fetched once and kept (see --cache-dir).",
            show_default=False,
        ),
    ] = None,
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
        Optional[int], typer.Option(min=1, help="Windows (a comment, or a piece of a long one) per model batch. Default: the fastest measured "
                                 "for the precision (fp32 32, bf16 32, int8 1). A comment's scores never depend on its batch in bf16 on a CPU with AMX, nor "
                                 "in int8 at 1 window a batch.")
    ] = None,
    precision: Annotated[
        str,
        typer.Option(help="auto (on a CPU bf16 where it has AMX, else fp32: `stance info` says which; on a GPU bf16 or fp32), "
                     "fp32 (the reference), bf16 or int8 (ONNX Runtime, "
                     "CPU only; the first run of a model builds it into ~/.cache/stance or $STANCE_CACHE). "
                     "See README, Speed, for how much each changes the labels."),
    ] = "auto",
    device: DeviceOption = "auto",
    threads: ThreadsOption = None,
    resume: Annotated[
        bool,
        typer.Option(help="Continue an interrupted run into the same -o file or folder: records (or, into a folder, "
                     "files) already written are kept, not redone."),
    ] = False,
    force: ForceOption = False,
    engine: Annotated[
        str,
        typer.Option(help="local (this process) or ray (a Ray cluster: a local one it starts, or --ray-address; "
                     'needs pip install "stance[ray]"). Ray writes into an -o folder.'),
    ] = "local",
    workers: Annotated[
        Optional[int],
        typer.Option(min=1, help="Ray workers, each loading the model once. Default: one per CPU of the cluster "
                     "(with --workers, each gets an equal share of the CPUs unless --threads says)."),
    ] = None,
    ray_address: Annotated[
        Optional[str],
        typer.Option(envvar="RAY_ADDRESS", show_envvar=True,
                     help="An existing Ray cluster (auto, ray://head:10001). Default: start a local one."),
    ] = None,
    urls: Annotated[
        Optional[str], typer.Option(help="A file of links, one a line ('-': stdin; blank lines and # comments skipped), classified "
                                    "each into its own file in the -o folder.")
    ] = None,
    cache_dir: CacheDirOption = None,
    refresh: RefreshOption = False,
    ignore_robots: IgnoreRobotsOption = False,
    more_comments: MoreCommentsOption = 500,
    timeout: TimeoutOption = 20.0,
) -> None:
    """Label every comment of PAGE as support, oppose, mixed or neutral, with a confidence.

    Prints one row per comment and a one-line summary of the thread. Comment files (JSONL/CSV) of
    any size are streamed; an -o file in JSONL or CSV grows as FILE.partial and gets its name when
    complete, and a killed run continues with --resume. A comment file's other columns are written
    back beside the labels; yours named like a result column (a gold label) become input_label and
    the like. Examples:

    \b
      stance classify data/examples/car_free_riverside.txt

    \b
      stance classify saved_page.html --format csv -o labelled.csv

    \b
      stance classify comments.jsonl --target "Council bans cars from the old town" -o labelled.csv

    \b
      stance classify forum_dump.jsonl.gz -o labelled.jsonl --resume

    \b
      stance classify 'dump/*.jsonl.zst' --engine ray -o labelled/ --format parquet --target "..."

    \b
      stance classify https://www.reddit.com/r/Python/comments/1bbbwk/ -o thread.jsonl
      stance classify --urls links.txt -o labelled/
    """
    if engine not in ("local", "ray"):
        raise typer.BadParameter(f"{engine!r}: expected local or ray", param_hint="--engine")
    if workers is not None and engine != "ray":
        raise typer.BadParameter("goes with --engine ray", param_hint="--workers")
    from stance.classify.many_files import names_many_files
    from stance.io.web import is_link
    from stance.model.runtime import Runtime

    pages = pages or []
    if not pages and urls is None:
        raise typer.BadParameter("name a page, a comment file or a link (or --urls FILE)", param_hint="PAGE")
    runtime = Runtime(device=device, precision=precision, threads=threads, batch_size=batch_size)
    options = {"target": target, "input_format": input_format, "columns": {"text": text_column}, "include_removed": include_removed}
    links = [*(name for name in pages if is_link(name)), *(_read_links(urls) if urls is not None else [])]
    if links:
        if any(not is_link(name) for name in pages) or engine == "ray":
            raise typer.BadParameter("links are classified by the local engine, in a run of their own (not beside files)", param_hint="PAGE")
        web = web_client(cache_dir, refresh, ignore_robots, more_comments, timeout)
        try:
            if len(links) == 1 and urls is None:
                _classify_one(links[0], output, output_format=output_format, model=model, resume=resume, force=force, runtime=runtime,
                              options=options | {"web": web})
            else:
                _classify_links(links, output, output_format=output_format, model=model, force=force, runtime=runtime,
                                options=options | {"web": web})
        finally:
            web.close()
        return
    if engine == "ray" or names_many_files(pages) or output.endswith(os.sep) or Path(output).is_dir():
        _classify_many(
            pages, output, output_format=output_format, model=model, engine=engine, workers=workers, address=ray_address,
            resume=resume, force=force, runtime=runtime, options=options,
        )
    else:
        _classify_one(pages[0], output, output_format=output_format, model=model, resume=resume, force=force, runtime=runtime, options=options)


def _classify_one(
    page: str, output: str, *, output_format: str | None, model: str | None, resume: bool, force: bool, runtime: Runtime,
    options: dict[str, Any],
) -> None:
    """One page or comment file into one output (a file, or stdout)."""
    from stance.classify.one_file import classify_file
    from stance.classify.stream import check_target
    from stance.io.files import check_writable, partial_path
    from stance.io.outputs import RESUMABLE_FORMATS, check_format, format_for_path
    from stance.io.records import complete_records
    from stance.model.classifier import StanceClassifier

    fmt = output_format or format_for_path(output, is_terminal=output == "-" and sys.stdout.isatty())
    check_format(fmt)
    check_stdout_format(fmt, output)
    if resume and (output == "-" or fmt not in RESUMABLE_FORMATS):
        raise typer.BadParameter("needs -o FILE in jsonl or csv format (or an -o folder)", param_hint="--resume")
    check_target(options["target"])
    if resume and not force and Path(output).is_file() and not partial_path(output).exists():
        echo_log(f"{output}: complete already; nothing left to resume (--force classifies it again)")
        return
    if output != "-":
        check_writable(output, force)
    classifier = StanceClassifier.from_pretrained(model, runtime=runtime)
    try:
        outcome = classify_file(
            page, classifier, output, fmt, resume=resume, progress=CountProgress(sys.stderr, bar=stderr_is_terminal()), **options
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
    _warn_unfamiliar(outcome.summary, classifier.languages)


def _classify_many(
    patterns: list[str], folder: str, *, output_format: str | None, model: str | None, engine: str, workers: int | None,
    address: str | None, resume: bool, force: bool, runtime: Runtime, options: dict[str, Any],
) -> None:
    """Several files, a folder or a glob, each into its own file in the ``folder``, on either engine."""
    from stance.classify.many_files import (
        classify_files,
        classify_locally,
        find_inputs,
        plan_outputs,
    )
    from stance.classify.stream import check_target
    from stance.io.files import check_writable
    from stance.io.outputs import check_format, format_for_path
    from stance.model.classifier import StanceClassifier

    if folder == "-":
        raise typer.BadParameter("name a folder to write one output per input file into", param_hint="-o/--output")
    if "-" in patterns:
        raise typer.BadParameter("stdin ('-') is read alone, not among several inputs or on Ray", param_hint="PAGE")
    fmt = output_format or "jsonl"
    check_format(fmt)
    if fmt == "table":
        raise typer.BadParameter("a folder takes jsonl, csv or parquet files", param_hint="--format")
    if format_for_path(folder, is_terminal=True) != "table" and not Path(folder).is_dir():  # a name that says its format
        raise typer.BadParameter(f"{folder}: names a file; several inputs, and Ray, write into a folder", param_hint="-o/--output")
    check_target(options["target"])
    check_writable(folder, force=True, folder=True)
    jobs = plan_outputs(find_inputs(patterns, exclude=folder), folder, fmt)
    classifier = StanceClassifier.from_pretrained(model, runtime=runtime)
    if engine == "ray":
        from stance.distributed.many_files import classify_on_ray

        run = classify_on_ray(
            classifier, fmt, workers=workers, runtime=runtime, address=address, progress=stderr_is_terminal(), **options,
        )
        # Ray Data logs its progress, and each failure with a trace, to stderr (set when it is imported): the
        # run shows its own progress, and a failure in one line.
        logging.getLogger("ray.data").setLevel(logging.CRITICAL)
    else:
        run = classify_locally(classifier, fmt, resume=resume, progress=CountProgress(sys.stderr, bar=stderr_is_terminal()), **options)
    try:
        settings = {"model": classifier.source, "precision": classifier.precision, "format": fmt, **options}
        outcome = classify_files(jobs, folder, run, classifier.tasks, resume=resume, force=force, identity=settings)
    except KeyboardInterrupt:
        done = sum(job.output.exists() for job in jobs)
        stop_interrupted(f"stopped: {done} of {len(jobs)} files are complete in {folder}; the same command with --resume continues")
    skipped = f"; {len(outcome.skipped)} complete before, skipped" if outcome.skipped else ""
    echo_log(f"{len(outcome.classified)} files classified into {folder}{skipped}")
    if outcome.resumed_records:
        echo_log(f"resumed: kept {outcome.resumed_records} records written before")
    if outcome.summary.total:
        echo_log(outcome.summary.describe())
    _warn_unfamiliar(outcome.summary, classifier.languages)


def _read_links(path: str) -> list[str]:
    """The links of a --urls file, one a line."""
    from stance.io.inputs import read_text
    from stance.io.web import check_link

    lines = [line.strip() for line in read_text(path).splitlines()]
    links = [line for line in lines if line and not line.startswith("#")]
    for link in links:
        check_link(link)
    if not links:
        raise typer.BadParameter(f"{path}: holds no link", param_hint="--urls")
    return links


def _classify_links(
    links: list[str], folder: str, *, output_format: str | None, model: str | None, force: bool, runtime: Runtime,
    options: dict[str, Any],
) -> None:
    """Several links, each into its own file in ``folder``, named after the link; one complete already is kept."""
    from stance.classify.one_file import classify_file
    from stance.io.files import check_writable
    from stance.io.outputs import check_format
    from stance.model.classifier import StanceClassifier

    if folder == "-":
        raise typer.BadParameter("name a folder to write one output per link into", param_hint="-o/--output")
    fmt = output_format or "jsonl"
    check_format(fmt)
    check_writable(folder, force=True, folder=True)
    classifier = StanceClassifier.from_pretrained(model, runtime=runtime)
    done, failed = 0, []
    for link in links:
        output = Path(folder) / f"{link_file_name(link)}.{fmt}"
        if output.exists() and not force:
            echo_log(f"{link}: complete already in {output}; skipped")
            continue
        try:
            outcome = classify_file(link, classifier, str(output), fmt, progress=CountProgress(sys.stderr, bar=stderr_is_terminal()),
                                    **options)
        except InputError as err:  # a dead link stops only itself; the others go on, and a rerun retries it
            echo_log(f"stance: error: {err}")
            failed.append(link)
            continue
        echo_log(f"{link}: {outcome.thread.describe()} -> {output}")
        done += 1
    echo_log(f"{done} links classified into {folder}")
    if failed:
        raise InputError(f"{len(failed)} of {len(links)} links could not be read (the first: {failed[0]}); the same command retries "
                         "them and skips the rest")


def link_file_name(link: str) -> str:
    """A file name for a link's output: its host and path (anything but letters, digits, dots and dashes as _), then a
    short hash of the whole link."""
    import hashlib
    import re
    from urllib.parse import urlsplit

    parts = urlsplit(link)
    name = re.sub(r"[^\w.-]+", "_", f"{parts.netloc}{parts.path}".rstrip("/") + (f"_{parts.query}" if parts.query else "")).strip("_")
    return f"{name[:120] or 'link'}-{hashlib.sha256(link.encode()).hexdigest()[:8]}"  # two links never share a file


def _warn_unfamiliar(summary: ThreadSummary, languages: list[str] | None) -> None:
    """Say so when most comments are in a language the model was not trained on."""
    from stance.extract.language import unfamiliar_majority

    unfamiliar = unfamiliar_majority(summary.languages, languages or [])
    if languages and unfamiliar:
        found = ", ".join(f"{language} {n}" for language, n in unfamiliar.items())
        echo_log(f"warning: most comments are in a language the model was not trained on ({found} of "
                 f"{sum(summary.languages.values())} whose language could be told; it was trained on "
                 f"{', '.join(languages)}): their labels are unreliable")
