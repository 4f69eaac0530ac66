"""Highlighted fragments: matches wrapped in <mark>, everything else escaped."""

from __future__ import annotations

import html
import re

from django.utils.safestring import SafeString

# Markers the engines put around matches; turned into <mark> after escaping,
# so highlighted fragments are always safe HTML.
MARK_START = "\ue000"
MARK_END = "\ue001"


def marked_to_html(fragment: str) -> str:
    """Escape an engine fragment, then turn the markers into <mark>."""
    return SafeString(html.escape(fragment).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def highlight_text(text: str, words: list[str], fragment_size: int = 160, whole: bool = False) -> str | None:
    """Wrap each occurrence of the words (prefix match, case-insensitive) in
    <mark>; return the whole text (`whole`) or a fragment around the first
    match, or None if nothing matches."""
    if not text or not words:
        return None
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\w*", re.I)
    first = pattern.search(text)
    if not first:
        return None
    if not whole and len(text) > fragment_size:
        begin = max(0, first.start() - fragment_size // 3)
        # Start on a word boundary.
        if begin:
            space = text.find(" ", begin)
            begin = space + 1 if 0 <= space < first.start() else begin
        text = ("…" if begin else "") + text[begin : begin + fragment_size] + (
            "…" if begin + fragment_size < len(text) else ""
        )
    return marked_to_html(pattern.sub(lambda m: MARK_START + m.group(0) + MARK_END, text))
