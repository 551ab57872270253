"""Writing files and directories so that they appear whole or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from stance.errors import OutputError


def check_writable(path: str | Path, force: bool) -> None:
    """Refuse to overwrite an existing output unless ``force``; fail early when it cannot be written.

    Missing folders are fine (they are created) as long as the nearest existing one is writable.
    """
    target = Path(path)
    if target.exists() and not force:
        raise OutputError(f"{target}: already exists; overwrite it only if you mean to", settings="force")
    ancestor = target.resolve().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK):
        raise OutputError(f"{target}: cannot write there ({ancestor} is not a writable folder)")


@contextmanager
def atomic_file(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place only on success."""
    target = Path(path)
    target.resolve().parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        mode, dir=target.resolve().parent, prefix=f".{target.name}.", suffix=".partial", delete=False,
        **({"encoding": "utf-8", "newline": ""} if "b" not in mode else {}),
    )
    try:
        with handle:
            yield handle
        os.chmod(handle.name, 0o666 & ~_umask())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Build a directory under a temporary name and swap it into place only on success.

    A link is written through: the directory it points at is replaced, the link stays.
    """
    target = Path(path).resolve()
    target.resolve().parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.resolve().parent, prefix=f".{target.name}.partial-"))
    try:
        yield tmp
        mask = _umask()
        os.chmod(tmp, 0o777 & ~mask)
        for file in tmp.rglob("*"):
            if file.is_file():
                os.chmod(file, 0o666 & ~mask)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            try:
                os.replace(tmp, target)
            except OSError:
                os.replace(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def partial_path(path: str | Path) -> Path:
    """Where a resumable output grows until it is complete: ``out.jsonl`` → ``out.jsonl.partial``."""
    target = Path(path)
    return target.with_name(target.name + ".partial")


@contextmanager
def resumable_file(path: str | Path, fmt: str, *, resume: bool) -> Iterator[tuple[IO[str], list[dict[str, Any]]]]:
    """Append records (``jsonl`` or ``csv``) to ``<path>.partial`` and rename it to ``path`` when done.

    Yields the stream and the records already there: with ``resume``, the complete records an
    interrupted run left (a record cut off by the interruption is dropped); without it, none (an
    old partial file is discarded). If the run fails, the partial file stays for a later ``resume``.
    """
    target = Path(path)
    partial = partial_path(target)
    target.resolve().parent.mkdir(parents=True, exist_ok=True)
    records = _complete_records(partial, fmt) if resume and partial.exists() else []
    try:
        with open(partial, "w", encoding="utf-8", newline="") as stream:
            write_records(records, fmt, stream)
            yield stream, records
    except BaseException:
        # A run that failed before its first record (e.g. on a bad input) leaves nothing to resume.
        if partial.exists() and not _complete_records(partial, fmt):
            partial.unlink(missing_ok=True)
        raise
    os.chmod(partial, 0o666 & ~_umask())
    os.replace(partial, target)


def _complete_records(partial: Path, fmt: str) -> list[dict[str, str]]:
    """The whole records at the start of a partial JSONL or CSV file."""
    import csv
    import io
    import json

    text = partial.read_text(encoding="utf-8", errors="replace")
    if fmt == "jsonl":
        lines = text.split("\n")[:-1]  # the part after the last newline is unfinished
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                break
        return records
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    if body and not text.endswith("\n"):
        body = body[:-1]
    return [dict(zip(header, row)) for row in body if len(row) == len(header)]


def write_records(
    records: Iterable[dict[str, Any]], fmt: str, stream: IO[str], *, header: bool = True, columns: Sequence[str] | None = None
) -> None:
    """Write dict records as JSON Lines or CSV: the one writer of both formats. CSV columns are
    ``columns``, else the first record's keys (with ``columns``, the header is written even for no
    records); ``header=False`` continues a CSV file."""
    import csv
    import json

    if fmt == "jsonl":
        stream.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        return
    writer = None
    for record in records:
        if writer is None:
            writer = csv.DictWriter(stream, fieldnames=list(columns or record))
            if header:
                writer.writeheader()
        writer.writerow(record)
    if writer is None and columns and header:
        csv.DictWriter(stream, fieldnames=list(columns)).writeheader()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
