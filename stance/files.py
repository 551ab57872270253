"""Writing files and directories so that they appear whole or not at all."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from stance.errors import OutputError


def check_writable(path: str | Path, force: bool, *, folder: bool = False) -> None:
    """Refuse to overwrite an existing output unless ``force``; fail early when it cannot be written.

    Missing folders are fine (they are created) as long as the nearest existing one is writable.
    An output file (not ``folder``) cannot replace a folder, even with ``force``.
    """
    if "\0" in str(path):
        raise OutputError(f"{str(path)!r}: not a usable file name (it holds a null byte)")
    target = Path(path)
    if target.is_dir() and not folder:
        raise OutputError(f"{target}: is a folder; name a file to write")
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

    A link is written through: the directory it points at is replaced, the link stays. What a killed
    earlier build left beside it (``.NAME.partial-PID-*``, ``.NAME.old-PID``) is removed first.
    """
    target = Path(path).resolve()
    target.resolve().parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    tmp = Path(tempfile.mkdtemp(dir=target.resolve().parent, prefix=f".{target.name}.partial-{os.getpid()}-"))
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


def _remove_leftovers(target: Path) -> None:
    """Remove the temporary folders of builds of ``target`` whose process is gone (killed mid-write)."""
    for pattern in (f".{target.name}.partial-*", f".{target.name}.old-*"):
        for leftover in target.parent.glob(pattern):
            owner = leftover.name.rsplit(".", 1)[1].split("-")[1]
            if not (owner.isdigit() and _is_running(int(owner))):
                shutil.rmtree(leftover, ignore_errors=True)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@contextmanager
def folder_lock(folder: str | Path) -> Iterator[Path]:
    """Hold ``folder`` (created if missing) for one run: a second run writing into it is refused.
    The lock is a hidden file inside it, released when the run ends, however it ends."""
    import fcntl

    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}: is a file; name a folder to write the outputs into")
    target.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target / ".stance-run.lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise OutputError(f"{target}: another run is writing into it now; wait for it, or write elsewhere") from None
    try:
        yield target
    finally:
        os.close(descriptor)


def partial_path(path: str | Path) -> Path:
    """Where a resumable output grows until it is complete: ``out.jsonl`` → ``out.jsonl.partial``."""
    target = Path(path)
    return target.with_name(target.name + ".partial")


def input_identity(path: str) -> dict[str, Any] | None:
    """What identifies an input file however its path is spelled: the resolved path, size and
    modification time; None for stdin, a pipe or a FIFO, which cannot be read the same way twice."""
    if path == "-":
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return {"path": str(Path(path).resolve()), "size": info.st_size, "modified_ns": info.st_mtime_ns}


@contextmanager
def resumable_file(
    path: str | Path, fmt: str, *, resume: bool, identity: Mapping[str, Any] | None = None
) -> Iterator[tuple[IO[str], list[dict[str, Any]]]]:
    """Append records (``jsonl`` or ``csv``) to ``<path>.partial`` and rename it to ``path`` when done.

    Yields the stream and the records already there: with ``resume``, the complete records an
    interrupted run left (a record cut off by the interruption is dropped); without it, none (an
    old partial file is discarded). ``identity`` (the input and the options that decide the
    records) is kept beside the partial file; a resume whose identity differs is refused, so
    records made from another input or with other options are never continued. The partial file
    is locked for the run: a second run writing the same output is refused. If the run fails, the
    partial file stays for a later ``resume`` where it holds a complete record.
    """
    import fcntl
    import json

    target = Path(path)
    partial = partial_path(target)
    about = partial.with_name(partial.name + ".json")
    target.resolve().parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(partial, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise OutputError(f"{target}: another run is writing it now ({partial} is locked); wait for it, or write elsewhere") from None
    # errors="replace": a character cut off by a kill reads as a replacement in the unfinished last record.
    with open(descriptor, "r+", encoding="utf-8", errors="replace", newline="") as stream:
        records = _complete_records(stream, fmt) if resume else []
        if records:
            check_same_run(target, about, identity)
        stream.seek(0)
        stream.truncate()
        with atomic_file(about) as handle:
            json.dump(dict(identity or {}), handle, indent=1)
        try:
            write_records(records, fmt, stream)
            yield stream, records
            stream.flush()
        except BaseException:
            # A run that failed before its first record (e.g. on a bad input) leaves nothing to resume.
            stream.flush()
            if not _complete_records(stream, fmt):
                partial.unlink(missing_ok=True)
                about.unlink(missing_ok=True)
            raise
        os.chmod(partial, 0o666 & ~_umask())
        os.replace(partial, target)
        about.unlink(missing_ok=True)


def check_same_run(target: Path, about: Path, identity: Mapping[str, Any] | None, *, what: str = "the partial output") -> None:
    """Refuse to continue ``what`` (records in ``target``) made from another input or with other
    options than ``identity``, as noted in ``about`` when they were made."""
    import json

    if identity is None:
        raise OutputError(f"{target}: resuming needs an input file that reads the same twice, not stdin or a pipe", settings="resume")
    try:
        earlier = json.loads(about.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        earlier = None
    if not isinstance(earlier, dict):
        raise OutputError(f"{target}: cannot tell what input and options {what} was made from; start over", settings="resume")
    changed = [name for name in sorted(set(identity) | set(earlier)) if identity.get(name) != earlier.get(name)]
    if changed:
        raise OutputError(
            f"{target}: {what} was made from {_describe(earlier, changed)}, not {_describe(identity, changed)}; "
            "resume with the same input and options, or start over",
            settings="resume",
        )


def _describe(identity: Mapping[str, Any], names: Sequence[str]) -> str:
    return ", ".join(f"{name} {identity.get(name)!r}" for name in names)


def complete_records(path: str | Path, fmt: str) -> int:
    """How many whole records a partial JSONL or CSV file holds."""
    with open(path, encoding="utf-8", errors="replace", newline="") as stream:
        return len(_complete_records(stream, fmt))


def _complete_records(stream: IO[str], fmt: str) -> list[dict[str, str]]:
    """The whole records at the start of a partial JSONL or CSV file."""
    import csv
    import io
    import json

    stream.seek(0)
    text = stream.read()
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
    records: Iterable[dict[str, Any]], fmt: str, stream: IO, *, header: bool = True, columns: Sequence[str] | None = None,
    schema: Any = None,
) -> None:
    """Write dict records as JSON Lines, CSV or Parquet: the one writer of the three. CSV columns are
    ``columns``, else the first record's keys (with ``columns``, the header is written even for no
    records); ``header=False`` continues a CSV file. Parquet needs a binary ``stream`` and the
    pyarrow ``schema`` of the records' known columns (the types of any others are read from the
    first 4,096 records), and is written a row group of 4,096 records at a time. A CSV or Parquet
    record with a column the first records did not have is refused: only JSON Lines can hold it."""
    import csv
    import json

    if fmt == "parquet":
        _write_parquet(records, stream, schema)
        return
    if fmt == "jsonl":
        stream.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        return
    writer, known = None, set()
    for number, record in enumerate(records, start=1):
        if writer is None:
            writer = csv.DictWriter(stream, fieldnames=list(columns or record))
            known = set(writer.fieldnames)
            if header:
                writer.writeheader()
        if unknown := record.keys() - known:
            raise _new_columns(number, unknown, "CSV")
        writer.writerow(record)
    if writer is None and columns and header:
        csv.DictWriter(stream, fieldnames=list(columns)).writeheader()


def _write_parquet(records: Iterable[dict[str, Any]], stream: IO[bytes], schema: Any) -> None:
    import itertools

    import pyarrow as pa
    import pyarrow.parquet as pq

    records = iter(records)
    chunk = list(itertools.islice(records, 4096))
    schema = _with_other_columns(schema, chunk)
    known = set(schema.names)
    with pq.ParquetWriter(stream, schema) as writer:
        written = 0
        while chunk:
            for number, record in enumerate(chunk, start=written + 1):
                if unknown := record.keys() - known:
                    raise _new_columns(number, unknown, "Parquet")
            try:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
                raise OutputError(
                    f"records {written + 1}-{written + len(chunk)}: a column's values change type ({err}); "
                    "Parquet keeps one type per column, so write JSON Lines (.jsonl)", settings="format"
                ) from None
            written += len(chunk)
            chunk = list(itertools.islice(records, 4096))


def _with_other_columns(schema: Any, records: Sequence[dict[str, Any]]) -> Any:
    """``schema`` and, after it, the columns of ``records`` it lacks, typed by their values (text where all are missing)."""
    import pyarrow as pa

    others = [name for name in dict.fromkeys(key for record in records for key in record) if name not in schema.names]
    if not others:
        return schema
    inferred = pa.Table.from_pylist([{name: record.get(name) for name in others} for record in records]).schema
    for column in inferred:
        schema = schema.append(pa.field(column.name, pa.string()) if pa.types.is_null(column.type) else column)
    return schema


def _new_columns(number: int, unknown: Iterable[str], fmt: str) -> OutputError:
    return OutputError(
        f"record {number} has columns the first records had not ({', '.join(sorted(map(str, unknown)))}); "
        f"{fmt} keeps one set of columns, so write JSON Lines (.jsonl) for records whose columns vary",
        settings="format",
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
