"""Catalog field patterns: a small, safe subset of regular expressions, checked at catalog load.

A field's `pattern` comes from the platform and runs on the GUI thread on every key press.
Python's backtracking engine takes exponential time on patterns such as `(\\d|\\d)*x`
(24 digits: 1.25 s, 30: minutes), so the catalog may only use a whitelist grammar whose
matching time is bounded:

* literals, character classes (`[0-9]`, `\\d`, `[^x]`), `.`;
* anchors `^ $ \\A \\Z`;
* quantifiers (`{n}`, `{n,m}`, `?`, `*`, `+`) on ONE character or class only, never on a group;
* groups and alternation (`(a|b)`), not under a quantifier (follows from the rule above).

Refused: quantified groups, backreferences, lookarounds, conditionals, inline flags.
Limits: pattern length, at most `MAX_VARIABLE_QUANTIFIERS` quantifiers of variable length and
at most `MAX_ALTERNATIVES` ways through the alternations. With the field's length limit
(<= 500 characters, checked before the pattern) a match takes at most about
500^2 x 8 steps of the regex engine: milliseconds.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:                      # typeshed describes the parser under its old, public names
    import sre_constants as _c
    import sre_parse as _parser
else:
    try:                               # Python 3.11+ (the old names warn there)
        import re._constants as _c
        import re._parser as _parser
    except ImportError:                # pragma: no cover - Python 3.10
        import sre_constants as _c
        import sre_parse as _parser

MAX_PATTERN_LENGTH = 200
MAX_VARIABLE_QUANTIFIERS = 2
MAX_ALTERNATIVES = 8
_SINGLE_CHARACTER = {_c.LITERAL, _c.NOT_LITERAL, _c.IN, _c.ANY}
_ANCHORS = {_c.AT_BEGINNING, _c.AT_END, _c.AT_BEGINNING_STRING, _c.AT_END_STRING}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}


class UnsafePattern(ValueError):
    """The pattern is outside the safe subset; the message says why (for the technician)."""


def check_safe_pattern(pattern: object) -> re.Pattern[str]:
    """The compiled pattern, or UnsafePattern naming the first construct that is not allowed."""
    if not isinstance(pattern, str):
        raise UnsafePattern("not a string")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(f"longer than {MAX_PATTERN_LENGTH} characters")
    try:
        parsed = _parser.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise UnsafePattern(f"not a valid regular expression ({exc})") from None
    if compiled.flags & ~re.UNICODE:
        raise UnsafePattern("inline flags such as (?i) are not allowed")
    counts = {"variable": 0}
    alternatives = _walk(list(parsed.data), counts)
    if counts["variable"] > MAX_VARIABLE_QUANTIFIERS:
        raise UnsafePattern(f"more than {MAX_VARIABLE_QUANTIFIERS} variable-length quantifiers")
    if alternatives > MAX_ALTERNATIVES:
        raise UnsafePattern(f"more than {MAX_ALTERNATIVES} alternatives in all")
    return compiled


def _walk(items: list[tuple[Any, Any]], counts: dict[str, int]) -> int:
    """Checks a sequence of parsed items; returns how many ways there are through it."""
    ways = 1
    for op, argument in items:
        if op in _SINGLE_CHARACTER:
            continue
        if op is _c.AT and argument in _ANCHORS:
            continue
        if op in _REPEATS:
            _check_repeat(argument, counts)
        elif op is _c.SUBPATTERN:
            _group, add_flags, del_flags, body = argument
            if add_flags or del_flags:
                raise UnsafePattern("inline flags such as (?i:...) are not allowed")
            ways *= _walk(list(body), counts)
        elif op is _c.BRANCH:
            ways *= sum(_walk(list(branch), counts) for branch in argument[1])
        else:
            raise UnsafePattern(f"{str(op).lower()} is not allowed (allowed: characters, classes, anchors, "
                                f"quantifiers on one character, groups and alternation)")
        if ways > MAX_ALTERNATIVES:
            raise UnsafePattern(f"more than {MAX_ALTERNATIVES} alternatives in all")
    return ways


def _check_repeat(argument: tuple[int, int, Any], counts: dict[str, int]) -> None:
    low, high, body = argument
    body = list(body)
    if len(body) != 1 or body[0][0] not in _SINGLE_CHARACTER:
        raise UnsafePattern("a quantifier may only follow one character or class, not a group")
    if low != high:
        counts["variable"] += 1
