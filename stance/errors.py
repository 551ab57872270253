"""Errors that stance raises for problems a user can fix; each carries a distinct exit code."""

from __future__ import annotations


class StanceError(Exception):
    """Base class: a problem with the user's input, data or model, explained in one line."""

    exit_code = 1


class InputError(StanceError):
    """An input file could not be read or is not in a format stance understands."""

    exit_code = 2


class DataError(StanceError):
    """Labelled data is malformed: a missing column, an empty text, an unusable label set."""

    exit_code = 3


class ModelError(StanceError):
    """A model directory or name could not be loaded, or does not fit the data."""

    exit_code = 4


class OutputError(StanceError):
    """An output path cannot be written, or exists and --force was not given."""

    exit_code = 5
