"""A command's own peak memory. Linux counts a child's peak from the moment it was forked, so a child of a large
process (pytest with torch loaded) reports its parent's size; the command is therefore started by a small Python
process of its own, which waits for it and reports its peak (wait4) on a pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_LAUNCHER = """
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
with os.fdopen(int(sys.argv[1]), "w") as report:
    json.dump({"code": os.waitstatus_to_exitcode(status), "peak_kib": usage.ru_maxrss}, report)
"""


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    peak_mib: float
    seconds: float


def measure(command: Sequence[str], env: Mapping[str, str] | None = None, cwd: str | None = None, timeout: float = 3600) -> Measured:
    """Run ``command`` and return its exit code, output and peak RSS (MiB)."""
    read, write = os.pipe()
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", _LAUNCHER, str(write), *command], capture_output=True, text=True, env=env,
                              cwd=cwd, timeout=timeout, pass_fds=(write,))
    finally:
        os.close(write)
    with os.fdopen(read) as pipe:
        report = json.loads(pipe.read() or '{"code": -1, "peak_kib": 0}')
    return Measured(report["code"], done.stdout, done.stderr, report["peak_kib"] / 1024, time.perf_counter() - started)
