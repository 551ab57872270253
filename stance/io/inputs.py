"""Reading an input's bytes and text: a file or stdin, read once, with gzip and zstd undone as it is read,
UTF-8 tried before Windows-1252, and every read error in words that name the input."""

from __future__ import annotations

import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from stance.errors import InputError

MAX_INPUT_BYTES = 200 * 1024 * 1024
# A streamed record (one line of JSONL/CSV/TSV) longer than this is refused, before it fills memory; and packed
# input that unpacks to more than this many times its packed size (plus a margin) is taken for a
# decompression bomb. Both can be raised through the environment, for inputs known to need it.
MAX_RECORD_MIB = 64
MAX_EXPANSION = 250
_EXPANSION_MARGIN = 16 * 2**20
RECORD_CAP_VARIABLE = "STANCE_MAX_RECORD_MIB"
EXPANSION_CAP_VARIABLE = "STANCE_MAX_EXPANSION"
COMPRESSED_SUFFIXES = (".gz", ".zst")  # undone as the file is read, whatever its format
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def read_text(path: str | Path) -> str:
    """Read a file (or ``-`` for stdin) as text: gzip is undone, UTF-8 tried before Windows-1252.

    The input is opened once, so a pipe or FIFO reads as a file does."""
    name = str(path)
    with open_input(name) as handle:
        return whole_text(handle, name)


def whole_text(handle: IO[bytes], name: str) -> str:
    """The rest of an open input as text, refused past :data:`MAX_INPUT_BYTES`."""
    return decode_text(read_bytes(handle, MAX_INPUT_BYTES + 1, name), name)


def decode_text(data: bytes, name: str) -> str:
    """A file's bytes as :func:`read_text` reads them; ``name`` is for error messages."""
    if data[:2] == b"\x1f\x8b":
        try:
            # Read at most one byte past the limit, so a small file that unpacks to gigabytes is refused.
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
                data = unpacked.read(MAX_INPUT_BYTES + 1)
        except (OSError, EOFError, zlib.error) as err:
            raise InputError(f"{name}: the gzip data is corrupt or truncated ({err}); expected a complete gzip file") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"{name}: larger than {MAX_INPUT_BYTES // 2**20} MiB, the most a page or export is read whole; "
            "split it, or convert its comments to JSONL, CSV or TSV (one per line), which are streamed at any size"
        )
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file; expected text, HTML, JSONL or CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few stray bytes: keep the UTF-8 and replace the strays, rather than
    # reading every accented letter as two Windows-1252 characters.
    lenient = data.decode("utf-8-sig", errors="replace")
    replaced = lenient.count("\ufffd")
    decoded = len(lenient) - len(lenient.encode("ascii", errors="ignore")) - replaced  # non-ASCII letters read as UTF-8
    if decoded > replaced:
        return lenient
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return lenient


class _Prefixed(io.RawIOBase):
    """A stream that gives ``prefix`` and then the rest of ``rest``: a head read for sniffing is not
    lost. Closing it closes ``rest`` unless that is stdin, which belongs to the process."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self.prefix, self.rest = memoryview(prefix), rest
        self.given = 0  # bytes read through it so far: the packed size, where it feeds a decompressor

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.prefix:
            n = min(len(buffer), len(self.prefix))
            buffer[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
        else:
            n = self.rest.readinto(buffer) or 0
        self.given += n
        return n

    def close(self) -> None:
        if self.rest is not sys.stdin.buffer:
            self.rest.close()
        super().close()


def peek_input(name: str, size: int) -> tuple[bytes, IO[bytes]]:
    """The input's first ``size`` bytes (fewer where it is shorter) and a stream over all of it, those bytes
    first: the head read to sniff the format is not lost, so a pipe or FIFO reads as a file does."""
    handle = open_input(name)
    try:
        head = read_bytes(handle, size, name)
    except BaseException:
        handle.close()
        raise
    return head, io.BufferedReader(_Prefixed(head, handle))


def open_input(name: str) -> IO[bytes]:
    """The input's bytes, gzip or zstd undone, from one opening of the file (or stdin for ``-``)."""
    try:
        raw: IO[bytes] = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115 (returned)
    except (OSError, ValueError) as err:  # ValueError: a null byte in the name
        raise InputError(f"{name}: cannot read ({getattr(err, 'strerror', None) or err})") from None
    magic = read_bytes(raw, 4, name)
    packed = _Prefixed(magic, raw)
    stream = io.BufferedReader(packed)
    if magic[:2] == b"\x1f\x8b":
        return io.BufferedReader(_Bounded(gzip.GzipFile(fileobj=stream, mode="rb"), packed, name))
    if magic == _ZSTD_MAGIC:
        return io.BufferedReader(_Bounded(io.BufferedReader(_Unzstd(stream, name)), packed, name))
    return stream


def cap_from_environment(variable: str, default: float) -> float:
    """A cap from the environment where it is set to a positive number, else ``default``."""
    value = os.environ.get(variable, "")
    try:
        number = float(value)
    except ValueError:
        return default
    return min(number, 2.0**40) if number > 0 else default  # "inf" (no cap, in effect) is a very large one


class _Bounded(io.RawIOBase):
    """Unpacked bytes, refused once they pass :data:`MAX_EXPANSION` times the packed bytes read (plus a
    margin): a small file that unpacks to gigabytes stops with one line, not with the machine's memory."""

    def __init__(self, unpacked: IO[bytes], packed: _Prefixed, name: str) -> None:
        self.unpacked, self.packed, self.name = unpacked, packed, name
        self.ratio = cap_from_environment(EXPANSION_CAP_VARIABLE, MAX_EXPANSION)
        self.out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.unpacked.readinto(buffer) or 0
        self.out += n
        if self.out > self.ratio * self.packed.given + _EXPANSION_MARGIN:
            raise InputError(
                f"{self.name}: unpacks to more than {self.ratio:g} times its packed size (a decompression bomb?); "
                f"if it is a real file, set {EXPANSION_CAP_VARIABLE} higher"
            )
        return n

    def close(self) -> None:
        self.unpacked.close()
        super().close()


class _Unzstd(io.RawIOBase):
    """A zstd stream undone as it is read, frame after frame; a stream cut short is an error, not a
    shorter file. Windows up to 2 GiB are allowed (Reddit dumps are packed with ``--long=31``)."""

    def __init__(self, packed: IO[bytes], name: str) -> None:
        import zstandard

        self.packed, self.name, self.error = packed, name, zstandard.ZstdError
        self.decompressor = zstandard.ZstdDecompressor(max_window_size=2**31)
        self.frame = self.decompressor.decompressobj()
        self.pending, self.offset = memoryview(b""), 0  # unpacked bytes not yet read, and how far they were
        self.started = False  # a frame has begun and not yet ended

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.offset == len(self.pending):
            # Small packed reads bound what one call unpacks (zstd can expand a few KiB a thousandfold).
            chunk = self.packed.read(1 << 13)
            if not chunk:
                if self.started:
                    raise InputError(f"{self.name}: the zstd data is cut short; expected a complete .zst file")
                return 0
            self.pending, self.offset = memoryview(self._unpack(chunk)), 0
        n = min(len(buffer), len(self.pending) - self.offset)
        buffer[:n] = self.pending[self.offset : self.offset + n]
        self.offset += n
        return n

    def _unpack(self, chunk: bytes) -> bytes:
        out = []
        try:
            while chunk:
                out.append(self.frame.decompress(chunk))
                self.started, chunk = not self.frame.eof, b""
                if self.frame.eof:  # the next frame, if any, starts in what this one left
                    chunk, self.frame = self.frame.unused_data, self.decompressor.decompressobj()
        except self.error as err:
            raise InputError(f"{self.name}: the zstd data is corrupt ({err}); expected a complete .zst file") from None
        return b"".join(out)

    def close(self) -> None:
        self.packed.close()
        super().close()


def read_bytes(handle: IO[bytes], size: int, name: str) -> bytes:
    """Up to ``size`` bytes (fewer only at the end), with read errors in words."""
    chunks, left = [], size
    try:
        while left > 0:
            chunk = handle.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:  # BadGzipFile is an OSError: first
        raise InputError(f"{name}: the gzip data is corrupt or truncated ({err}); expected a complete gzip file") from None
    except OSError as err:
        raise InputError(f"{name}: cannot read ({err.strerror or err})") from None
    return b"".join(chunks)


def text_lines(handle: IO[bytes], name: str) -> Iterator[str]:
    """The stream's lines as text: UTF-8 where they decode, else Windows-1252 (line by line)."""
    limit = int(cap_from_environment(RECORD_CAP_VARIABLE, MAX_RECORD_MIB) * 2**20)
    try:
        with handle:
            number = 0
            while chunk := handle.readline(limit + 1):
                number += 1
                if len(chunk) > limit:
                    raise InputError(
                        f"{name}:{number}: a line of more than {limit / 2**20:g} MiB, too long for one record; "
                        f"if it is one, set {RECORD_CAP_VARIABLE} higher"
                    )
                if number == 1 and chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                # A lone \r ends a line too, as it does for read_thread (io.StringIO(text, newline="")).
                for raw in chunk.splitlines(keepends=True) if b"\r" in chunk else (chunk,):
                    try:
                        yield raw.decode("utf-8")
                    except UnicodeDecodeError:
                        yield raw.decode("cp1252", errors="replace")
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(f"{name}: cannot read past a damaged part ({err}); expected a complete file") from None
