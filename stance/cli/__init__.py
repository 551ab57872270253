"""The ``stance`` command line: each command parses arguments and calls plain functions."""

from __future__ import annotations

import sys

from stance.cli._app import app
from stance.cli import calibrate, classify, compare, evaluate, export, extract, info, train  # noqa: F401  (registers the commands)
from stance.errors import StanceError


def main(argv: list[str] | None = None) -> None:
    """Run the app; problems users can fix end in one line on stderr and a distinct exit code."""
    try:
        app(args=argv, prog_name="stance")
    except StanceError as err:
        print(f"stance: error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
