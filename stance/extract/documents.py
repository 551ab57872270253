"""Loading export documents (JSON, XML) with errors that name the file, and their common field types."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from stance.core.checks import parse_whole_number
from stance.errors import InputError
from stance.io.records import parse_json


def load_json(text: str, source: str, expected: str) -> object:
    """Parse JSON; ``expected`` ends the error message (what the file should have been)."""
    try:
        return parse_json(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{source}: not valid JSON ({err.msg} at line {err.lineno}, column {err.colno}); {expected}") from None
    except RecursionError:
        raise InputError(f"{source}: the JSON is nested too deeply to read; {expected}") from None


def load_xml(text: str, source: str, expected: str) -> Element:
    """The document's root element, with entity declarations refused rather than expanded."""
    try:
        return fromstring(text)
    except DefusedXmlException as err:
        raise InputError(
            f"{source}: the XML declares entities or external references ({type(err).__name__}), "
            f"which stance refuses to expand; {expected}"
        ) from None
    except ParseError as err:
        raise InputError(f"{source}: not well-formed XML ({err}); {expected}") from None


def utc_from_seconds(seconds: object) -> str | None:
    """Unix seconds as ISO 8601 UTC, e.g. ``2024-03-01T12:00:00Z``; None where it is not a time."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return None
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


def as_count(value: object) -> int | None:
    """A count from a JSON or CSV field (``12``, ``12.0``, ``"12"``), else None; booleans are not counts."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and len(value.strip()) <= 18:
        return parse_whole_number(value, negative=True)
    return None


def json_id(value: object) -> str | None:
    """An id from a JSON field (a number or a non-empty string) as text, else None; booleans are not ids."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        return None
    return str(value)
