"""`stance compare REPORT REPORT ...`: several evaluation reports side by side."""

from __future__ import annotations

from typing import Annotated

import typer

from stance.cli._app import app


@app.command()
def compare(
    reports: Annotated[list[str], typer.Argument(help="report.json files (or the folders holding them) from `stance evaluate`.")],
) -> None:
    """Lay the model scores of several reports side by side, each with its 95 % interval.

    \b
      stance compare report-default/ report-mine/report.json
    """
    from stance.evaluation.report import render_comparison

    typer.echo(render_comparison(reports))
