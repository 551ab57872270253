"""Files and folders that appear whole or not at all: atomic writes, outputs that grow resumably, the lock
of a run, and what identifies an input so that a resume continues only the same run."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from stance.core.checks import parse_whole_number
from stance.errors import OutputError
from stance.io.records import complete_records_of, write_records


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
    """Write to a temporary file beside ``path`` and rename it into place only on success.

    The one place every command's output fails: a file that cannot be made there (a folder in the way, a path
    through a file, no permission) or written (a full disk, a read-only file system) is an
    :class:`~stance.errors.OutputError` naming ``path`` and the reason, and nothing is left behind."""
    target = Path(path)
    try:
        target.resolve().parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(
            mode, dir=target.resolve().parent, prefix=f".{target.name}.", suffix=".partial", delete=False,
            **({"encoding": "utf-8", "newline": ""} if "b" not in mode else {}),
        )
    except OSError as err:
        raise cannot_write(target, err) from None
    try:
        with handle:
            yield handle
        try:
            os.chmod(handle.name, 0o666 & ~_umask())
            os.replace(handle.name, target)
        except OSError as err:
            raise cannot_write(target, err) from None
    except OSError as err:
        Path(handle.name).unlink(missing_ok=True)
        if err.errno in WRITE_ERRNOS:  # what a write or its flush met: the output's fault, not the caller's
            raise cannot_write(target, err) from None
        raise
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


# Errors only writing meets: no space, over a quota, a read-only file system, a file too large.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})


def cannot_write(target: Path, err: OSError) -> OutputError:
    """The one-line error of an output that cannot be written."""
    return OutputError(f"{target}: cannot write ({err.strerror or err})")


@contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Build a directory under a temporary name and swap it into place only on success.

    A link is written through: the directory it points at is replaced, the link stays. What a killed
    earlier build left beside it (``.NAME.partial-PID-*``, ``.NAME.old-PID``) is removed first.
    """
    target = Path(path).resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(target)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.partial-{os.getpid()}-"))
    except OSError as err:
        raise cannot_write(target, err) from None
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
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if err.errno in WRITE_ERRNOS or not target.parent.exists() or not os.access(target.parent, os.W_OK):
            raise cannot_write(target, err) from None
        raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _remove_leftovers(target: Path) -> None:
    """Remove the temporary folders of builds of ``target`` whose process is gone (killed mid-write)."""
    for pattern in (f".{target.name}.partial-*", f".{target.name}.old-*"):
        for leftover in target.parent.glob(pattern):
            owner = parse_whole_number(leftover.name.rsplit(".", 1)[1].split("-")[1])
            if not (owner is not None and _is_running(owner)):
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
    modification time; a link itself (its response is kept, so it reads the same again); None for stdin,
    a pipe or a FIFO, which cannot be read the same way twice."""
    if path == "-":
        return None
    from stance.io.web import is_link  # here: web.py imports this module

    if is_link(path):
        return {"link": path}
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
        records = complete_records_of(stream, fmt) if resume else []
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
            if not complete_records_of(stream, fmt):
                partial.unlink(missing_ok=True)
                about.unlink(missing_ok=True)
            raise
        os.chmod(partial, 0o666 & ~_umask())
        os.replace(partial, target)
        about.unlink(missing_ok=True)


def check_same_run(target: Path, about: Path, identity: Mapping[str, Any] | None, *, what: str = "the partial output") -> None:
    """Refuse to continue ``what`` (records in ``target``) made from another input or with other
    options than ``identity``, as noted in ``about`` when they were made."""
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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def cache_root() -> Path:
    """Where stance keeps what it can make again (int8 exports, fetched pages): ``$STANCE_CACHE``, else
    ``$XDG_CACHE_HOME/stance``, else ``~/.cache/stance``."""
    if os.environ.get("STANCE_CACHE"):
        return Path(os.environ["STANCE_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stance"
