"""Classifying many comment files into a folder: one output per input, each written whole, so a
killed run rerun with ``resume`` skips the files that are complete and redoes only the rest."""

from __future__ import annotations

import glob
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from stance.classify.one_file import classify_file
from stance.classify.stream import Progress, ThreadSummary
from stance.classify.writers import write_results
from stance.errors import InputError, OutputError
from stance.io.files import atomic_file, check_same_run, folder_lock, partial_path
from stance.io.inputs import COMPRESSED_SUFFIXES
from stance.io.outputs import open_output
from stance.io.web import is_link
from stance.model.classifier import StanceClassifier

# The suffixes of the files a folder is searched for (others, a README say, are passed over).
COMMENT_FILE_SUFFIXES = (
    ".jsonl", ".ndjson", ".csv", ".tsv", ".parquet", ".pq", ".json", ".xml", ".html", ".htm", ".xhtml", ".txt",
)
_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class FileJob:
    """One input file and the output it gets in the folder."""

    source: Path
    output: Path


@dataclass(frozen=True)
class FilesOutcome:
    """What a run over many files did."""

    classified: list[FileJob]  # written by this run
    skipped: list[FileJob]  # complete before it (resumed runs)
    summary: ThreadSummary  # the labels of the files this run wrote
    resumed_records: int = 0  # records kept from files an interrupted run had begun


def names_many_files(patterns: Sequence[str]) -> bool:
    """Whether the arguments ask for many files: more than one, a folder, or a glob pattern."""
    return len(patterns) > 1 or any(_is_pattern(name) or Path(name).is_dir() for name in patterns if name != "-")


def _is_pattern(name: str) -> bool:
    """A name with wildcards that is not itself a file (some file names hold brackets)."""
    return bool(_GLOB_CHARACTERS & set(name)) and not Path(name).exists()


def find_inputs(patterns: Sequence[str], exclude: str | Path | None = None) -> list[tuple[Path, Path]]:
    """Every input file the arguments name (absolute, as every node of a cluster must read them),
    each with the folder its output name is taken relative to.

    An argument is a file, a folder (every comment file under it, at any depth) or a glob pattern
    (``dump/*.jsonl.zst``, ``**`` for any depth, quoted so the shell leaves it). A file named twice is
    read once; files under ``exclude`` (the output folder, which may lie inside an input folder) are
    not inputs; an argument that finds nothing is an error.
    """
    found: dict[Path, tuple[Path, Path]] = {}
    skipped = Path(exclude).resolve() if exclude is not None else None
    for pattern in patterns:
        if _is_pattern(pattern):
            base = _fixed_part(pattern)
            files = [Path(name) for name in glob.glob(pattern, recursive=True) if Path(name).is_file()]
        elif Path(pattern).is_dir():
            base = Path(pattern)
            files = [path for path in base.rglob("*") if path.is_file() and _is_comment_file(path, base)]
        elif Path(pattern).is_file():
            base, files = Path(pattern).parent, [Path(pattern)]
        else:
            raise InputError(f"{pattern}: no such file or folder")
        files = [path for path in files if skipped is None or not path.resolve().is_relative_to(skipped)]
        if not files:
            raise InputError(f"{pattern}: finds no comment file")
        for path in sorted(files):
            found.setdefault(path.resolve(), (path.absolute(), base.absolute()))
    return list(found.values())


def input_names(patterns: Sequence[str]) -> list[str]:
    """The inputs the arguments name, to be read one after another: stdin alone as ``-``, links as they are,
    then the files :func:`find_inputs` finds."""
    if list(patterns) == ["-"]:
        return ["-"]
    links = list(dict.fromkeys(name for name in patterns if is_link(name)))
    files = [name for name in patterns if not is_link(name)]
    return links + ([str(path) for path, _ in find_inputs(files)] if files else [])


def _fixed_part(pattern: str) -> Path:
    """The folder a glob pattern starts from: its parts before the first with a wildcard."""
    fixed = []
    for part in Path(pattern).parts:
        if _GLOB_CHARACTERS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _is_comment_file(path: Path, base: Path) -> bool:
    """A visible file, not inside a hidden folder, with a comment-file suffix, or compressed (Reddit's
    dumps are named ``RC_2019-01.zst``: their format is sniffed)."""
    if any(part.startswith(".") for part in path.relative_to(base).parts):
        return False
    suffixes = [s.lower() for s in path.suffixes]
    return bool(suffixes) and (suffixes[-1] in COMPRESSED_SUFFIXES or suffixes[-1] in COMMENT_FILE_SUFFIXES)


def plan_outputs(inputs: Sequence[tuple[Path, Path]], folder: str | Path, fmt: str) -> list[FileJob]:
    """Each input's output in ``folder``: its path under its base folder, its suffixes (compression,
    then format) replaced by ``fmt``'s: ``dump/2019/RC_01.jsonl.zst`` → ``labelled/2019/RC_01.jsonl``."""
    jobs: dict[Path, FileJob] = {}
    for source, base in inputs:
        relative = source.relative_to(base) if source.is_relative_to(base) else Path(source.name)
        name = relative.name
        for suffix in reversed(relative.suffixes):
            if suffix.lower() in COMPRESSED_SUFFIXES or suffix.lower() in COMMENT_FILE_SUFFIXES:
                name = name[: -len(suffix)]
                if suffix.lower() not in COMPRESSED_SUFFIXES:
                    break
            else:
                break
        output = Path(folder) / relative.parent / f"{name or relative.name}.{fmt}"
        if output.resolve() == source.resolve():
            raise InputError(f"{source}: its output would replace it; write into another folder")
        key = Path(str(output).casefold())  # a.jsonl and A.jsonl are one file where names ignore case
        if key in jobs:
            raise InputError(f"{jobs[key].source} and {source} would both be written to {output}; classify them apart")
        jobs[key] = FileJob(source, output)
    return list(jobs.values())


def check_outputs(jobs: Sequence[FileJob], *, resume: bool, force: bool) -> None:
    """Refuse to overwrite outputs that exist, unless ``force`` (redo them) or ``resume`` (keep them)."""
    existing = [job.output for job in jobs if job.output.exists()]
    if existing and not (resume or force):
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        raise OutputError(
            f"{existing[0]}{more}: already exist; resume keeps the complete files and classifies the rest, "
            "force redoes them all", settings=("resume", "force"),
        )


def classify_files(
    jobs: Sequence[FileJob],
    folder: str | Path,
    classify_pending: Callable[[Sequence[FileJob]], Iterable[tuple[FileJob, ThreadSummary, int]]],
    tasks: Mapping[str, Sequence[str]],
    *,
    resume: bool = False,
    force: bool = False,
    identity: Mapping[str, object] | None = None,
) -> FilesOutcome:
    """Run ``classify_pending`` (an engine: it writes each job's output whole and reports its
    summary and the records it kept from an earlier run) over the jobs not yet complete.

    With ``resume`` a job whose output exists is complete and skipped, as long as the run that wrote
    it had the same ``identity`` (model and options; kept in the folder); ``force`` redoes every job,
    its old output removed first. An empty input gets an empty output. The folder is locked, so a
    second run into it is refused rather than racing this one.
    """
    if resume and force:
        raise OutputError("resume keeps the complete files, force redoes them: choose one", settings=("resume", "force"))
    check_outputs(jobs, resume=resume, force=force)
    with folder_lock(folder) as locked:
        manifest = locked / ".stance-run.json"  # the settings of the run that wrote the folder's files
        complete = {job for job in jobs if resume and job.output.exists()}
        if complete and identity is not None and manifest.exists():
            check_same_run(locked, manifest, identity, what="the folder's complete output")
        if identity is not None:
            with atomic_file(manifest) as stream:
                json.dump(dict(identity), stream, indent=1)
        pending = [job for job in jobs if job not in complete]
        for job in pending:
            _remove_leftovers(job.output, force)
        empty = {job for job in pending if job.source.stat().st_size == 0}
        for job in empty:
            fmt = job.output.suffix.lstrip(".")  # as plan_outputs named it
            with open_output(job.output, fmt) as stream:
                write_results((), tasks, fmt, stream)
        classified, summaries, kept = list(empty), [], 0
        for job, summary, resumed in classify_pending([job for job in pending if job not in empty]):
            classified.append(job)
            summaries.append(summary)
            kept += resumed
    return FilesOutcome(classified, [job for job in jobs if job in complete], ThreadSummary.combined(summaries, tasks), kept)


def _remove_leftovers(output: Path, force: bool) -> None:
    """What a killed write of ``output`` left (its temporary file), and with ``force`` the old output."""
    for leftover in output.parent.glob(f".{glob.escape(output.name)}.*.partial"):
        leftover.unlink(missing_ok=True)
    if force:
        output.unlink(missing_ok=True)


def classify_locally(
    classifier: StanceClassifier,
    fmt: str,
    *,
    resume: bool = False,
    progress: Progress | None = None,
    **options: object,
) -> Callable[[Sequence[FileJob]], Iterator[tuple[FileJob, ThreadSummary, int]]]:
    """The engine of one process: the files one after another through :func:`classify_file`,
    whose JSONL and CSV outputs also resume within a file. ``options`` are its (target, ...)."""

    def run(jobs: Sequence[FileJob]) -> Iterator[tuple[FileJob, ThreadSummary, int]]:
        for job in jobs:
            resumable = resume and partial_path(job.output).exists()
            outcome = classify_file(
                str(job.source), classifier, str(job.output), fmt, resume=resumable, progress=progress, **options  # type: ignore[arg-type]
            )
            yield job, outcome.summary, outcome.resumed

    return run
