"""Strict decoding of JSON Lines bytes: each line gives one JSON object, or
the problems that stop it from being one.

Stricter than `json.loads` where a loose reading would lose or corrupt data:
duplicate keys (json keeps the last silently), lone surrogates such as
"\\ud800" (they cannot be stored as UTF-8), integers longer than Python
converts, numbers that overflow to infinity, NaN/Infinity, nesting deeper
than any record of the format needs, and bytes that are not UTF-8. None of
them raises: each becomes a `Problem`.
"""

import codecs
import json
import math
import re
import sys
from dataclasses import dataclass

# Deeper than any line of the import format needs (a record, a list of
# partners, a partner, a value), shallow enough that nothing recurses far.
MAX_DEPTH = 10
SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """One problem of one line, printed as `line N: field: reason`."""

    line: int
    field: str
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.field}: {self.reason}"


def type_name(value):
    """How a decoded JSON value is named in problems ("a list", "a number")."""
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), "null" if value is None else "a number"
    )


class _Unreadable:
    """A number json read but Python cannot hold; reported, never used."""

    def __init__(self, reason):
        self.reason = reason


class _DuplicateKeys(dict):
    """An object that had the keys in `duplicates` more than once."""

    duplicates = ()


def _object(pairs):
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    seen, duplicates = set(), []
    for key, _ in pairs:
        if key in seen and key not in duplicates:
            duplicates.append(key)
        seen.add(key)
    value = _DuplicateKeys(value)
    value.duplicates = duplicates
    return value


def _integer(text):
    digits = len(text.lstrip("-"))
    if digits > sys.get_int_max_str_digits():
        return _Unreadable(f"number too long to read ({digits} digits)")
    return int(text)


def _float(text):
    value = float(text)
    if not math.isfinite(value):
        return _Unreadable(f"number out of range: {text[:40]}")
    return value


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _path(parent, key):
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _surrogate_reason(text):
    match = SURROGATE.search(text)
    return f"not valid Unicode: lone surrogate \\u{ord(match.group()):04x}" if match else None


def value_problems(value):
    """(field path, reason) for every part of a decoded line that must not be
    used. Iterative, so the depth of `value` does not matter."""
    problems = []
    stack = [("", value, 0, "")]  # path, value, depth, top-level key
    while stack:
        path, item, depth, top = stack.pop()
        if depth > MAX_DEPTH:
            problems.append((top, f"nested too deeply (more than {MAX_DEPTH} levels)"))
            continue
        if isinstance(item, _Unreadable):
            problems.append((path or "line", item.reason))
        elif isinstance(item, str):
            reason = _surrogate_reason(item)
            if reason:
                problems.append((path or "line", reason))
        elif isinstance(item, dict):
            for key in getattr(item, "duplicates", ()):
                problems.append((_path(path, key), "duplicate key (given more than once)"))
            children = []
            for key, child in item.items():
                reason = _surrogate_reason(key)
                if reason:
                    problems.append((_path(path, ascii(key)[1:-1]), f"key {reason}"))
                    continue
                children.append((_path(path, key), child, depth + 1, top or key))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(
                reversed([(_path(path, i), child, depth + 1, top) for i, child in enumerate(item)])
            )
    return list(dict.fromkeys(problems))  # one "nested too deeply" per field


def decode_line(number, raw):
    """(object, problems) for one line of bytes; object is None when the line
    is blank or has problems."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(number, "line", f"not valid UTF-8 (byte {error.start + 1})")]
    if not text.strip():
        return None, []
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object,
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as error:
        return None, [Problem(number, "line", f"invalid JSON: {error.msg} (column {error.colno})")]
    except RecursionError:
        return None, [Problem(number, "line", f"nested too deeply (more than {MAX_DEPTH} levels)")]
    except ValueError as error:
        return None, [Problem(number, "line", f"invalid JSON: {error}")]
    if not isinstance(value, dict):
        return None, [Problem(number, "line", f"expected a JSON object, got {type_name(value)}")]
    problems = [Problem(number, path, reason) for path, reason in value_problems(value)]
    return (None if problems else value), problems


def read_lines(data, problems):
    """Yield (line number, object) for every good line of JSON Lines bytes and
    append to `problems` for every bad one. Blank lines are skipped; a UTF-8
    byte-order mark at the start is allowed."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        value, found = decode_line(number, raw)
        problems.extend(found)
        if value is not None:
            yield number, value
