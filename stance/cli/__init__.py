"""The ``stance`` command line: each command parses arguments and calls plain functions."""

from __future__ import annotations

import sys

from stance.cli import (  # noqa: F401  (registers the commands)
    calibrate,
    classify,
    compare,
    evaluate,
    export,
    extract,
    info,
    report,
    suggest,
    train,
)
from stance.cli._app import app
from stance.errors import StanceError


def main(argv: list[str] | None = None) -> None:
    """Run the app; problems users can fix end in one line on stderr and a distinct exit code."""
    try:
        app(args=argv, prog_name="stance")
    except StanceError as err:
        print(f"stance: error: {err}{flag_hint(err)}", file=sys.stderr)
        sys.exit(err.exit_code)



def flag_hint(err: StanceError) -> str:
    """The flags for the settings an error names, e.g. `` (--force)``: library errors stay neutral, the
    command line adds its own words at its edge."""
    return " (" + " / ".join("--" + name.replace("_", "-") for name in err.settings) + ")" if err.settings else ""
