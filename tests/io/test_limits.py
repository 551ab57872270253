"""Hostile inputs refused with one line before memory runs out: a record of gigabytes on one line, and a small
packed file that unpacks to many times its size (gzip and zstd). The caps come from the environment."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.peak_memory import measure
from stance.errors import InputError
from stance.io.inputs import EXPANSION_CAP_VARIABLE, MAX_EXPANSION, MAX_RECORD_MIB, RECORD_CAP_VARIABLE

REPO = Path(__file__).resolve().parents[2]


def stance(*args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """``stance ARGS`` in a child process, and that child's own peak memory in MiB (:mod:`scripts.peak_memory`)."""
    run = measure([sys.executable, "-m", "stance", *args], env=os.environ | env, cwd=str(REPO), timeout=300)
    return subprocess.CompletedProcess(args, run.returncode, run.stdout, run.stderr), run.peak_mib


def test_the_defaults_are_generous_but_finite() -> None:
    assert MAX_RECORD_MIB == 64 and MAX_EXPANSION == 250


def test_a_giant_line_in_a_streamed_comment_file_is_refused(tmp_path: Path, tiny_classifier_dir: Path) -> None:
    """classify streams comment files: a record is read a line at a time, and a line past the cap is refused
    before it is all in memory (a whole-read file is capped at 200 MiB anyway)."""
    path = tmp_path / "one_line.jsonl.gz"
    line = b'{"text": "' + b"a" * (40 * 2**20) + b'"}\n'  # 40 MiB in one record, 40 KiB packed
    path.write_bytes(gzip.compress(b'{"text": "fine"}\n' + line, compresslevel=1))
    args = ("classify", str(path), "--target", "a toll", "--model", str(tiny_classifier_dir), "-f", "jsonl")
    done, peak = stance(*args, **{RECORD_CAP_VARIABLE: "8"})
    assert done.returncode == InputError.exit_code, done.stderr
    assert done.stderr.endswith(f"stance: error: {path}:2: a line of more than 8 MiB, too long for one record; "
                                f"if it is one, set {RECORD_CAP_VARIABLE} higher\n")
    assert done.stderr.count("stance: error") == 1 and "Traceback" not in done.stderr
    assert peak < 1024


@pytest.mark.parametrize("packing", ["gzip", "zstd"])
def test_a_decompression_bomb_is_refused(packing: str, tmp_path: Path) -> None:
    rows = b'{"text": "the same comment again and again"}\n' * (2**20)  # 44 MiB, a few hundred KiB packed
    if packing == "gzip":
        path, packed = tmp_path / "bomb.jsonl.gz", gzip.compress(rows, compresslevel=9)
    else:
        import zstandard

        path, packed = tmp_path / "bomb.jsonl.zst", zstandard.ZstdCompressor(level=19).compress(rows)
    path.write_bytes(packed)
    assert len(rows) / len(packed) > 100
    done, peak = stance("extract", str(path), "-f", "jsonl", **{EXPANSION_CAP_VARIABLE: "20"})
    assert done.returncode == InputError.exit_code and done.stderr.count("\n") == 1
    assert "unpacks to more than 20 times its packed size" in done.stderr and str(path) in done.stderr
    assert peak < 1024


def test_a_parquet_row_group_too_large_to_read_at_once_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from stance.io.records import MAX_ROW_GROUP_MIB, ROW_GROUP_CAP_VARIABLE, parquet_rows

    path = tmp_path / "comments.parquet"
    texts = [f"comment {n} " + "words " * 500 for n in range(2000)]  # ~6 MB in one row group
    pq.write_table(pa.table({"text": texts}), path, row_group_size=len(texts))
    assert MAX_ROW_GROUP_MIB == 1024 and sum(1 for _ in parquet_rows(str(path))) == 2000
    monkeypatch.setenv(ROW_GROUP_CAP_VARIABLE, "1")
    with pytest.raises(InputError, match=r"comments.parquet: row group 1 holds \d+ MiB unpacked, more than the 1 MiB read at once"):
        next(parquet_rows(str(path)))


def test_a_cap_of_inf_means_a_very_large_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from stance.io.inputs import cap_from_environment

    for value, expected in (("inf", 2.0**40), ("8", 8.0), ("-1", 64.0), ("many", 64.0)):
        monkeypatch.setenv(RECORD_CAP_VARIABLE, value)
        assert cap_from_environment(RECORD_CAP_VARIABLE, 64) == expected
