"""Errors that stance raises for problems a user can fix; each carries a distinct exit code.

Like scikit-learn's, the errors about bad values (input, data, settings) are also ``ValueError``s,
so generic handlers catch them. Messages stay neutral: the CLI adds hints about its flags.
"""

from __future__ import annotations


class StanceError(Exception):
    """Base class: a problem with the user's input, data or model, explained in one line.

    ``settings`` names the options that fix it (``"force"``, ``"target"``): the CLI shows them as
    its flags, the API leaves the message as it is.
    """

    exit_code = 1

    def __init__(self, message: str, *, settings: str | tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.settings = (settings,) if isinstance(settings, str) else tuple(settings)


class InputError(StanceError, ValueError):
    """An input file could not be read or is not in a format stance understands."""

    exit_code = 2


class DataError(StanceError, ValueError):
    """Labelled data is malformed: a missing column, an empty text, an unusable label set."""

    exit_code = 3


class ConfigError(StanceError, ValueError):
    """A setting is out of range or unknown (a training option, a device, a precision)."""

    exit_code = 2


class ModelError(StanceError):
    """A model directory or name could not be loaded, or does not fit the data."""

    exit_code = 4


class OutputError(StanceError):
    """An output path cannot be written, or exists and --force was not given."""

    exit_code = 5


def first_line(err: BaseException) -> str:
    """The first line of an exception's message (or its type's name), for one-line errors."""
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
