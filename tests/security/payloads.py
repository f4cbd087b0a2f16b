"""The hostile texts the injection tests type into every field, and how to tell whether a
rendering left them inert.

A *tagged* payload starts with ``⟦tag⟧`` so a test can find where a given field's text came out;
the rest is markup that would run as script if a template printed it unescaped.
"""

from __future__ import annotations

import re

MARKUP = "<script>alert(1)</script><img src=x onerror=alert(1)>\"'><svg onload=alert(1)>"
# Short fields (a committee's short name, a phone number) get a shorter piece of markup.
SHORT_MARKUP = "<svg/{tag}>"

# Any of these in a page means some text was printed unescaped.
RAW_MARKERS = ("<script>alert(", "<img src=x onerror", "<svg onload", "<svg/", "\"'><")

# What a page shows when the text was escaped (the part that has no quotes, so typographic
# quotes in a PDF do not change it).
ESCAPED_MARKUP = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"

FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1")
# Texts that must make the PDF renderer fetch nothing.
FETCH_BAIT = (
    '<img src="file:///etc/passwd">',
    "<link rel=stylesheet href=http://127.0.0.1:1/x.css>",
    "<style>body{background:url(file:///etc/hostname)}</style>",
    '<div style="background:url(http://127.0.0.1:1/x)">',
    '<img src="../../settings.py">',
    "http://127.0.0.1:1/x",
    "url(file:///etc/hostname)",
    "../../settings.py",
)


def tagged(tag: str, max_length: int | None = None) -> str:
    text = f"⟦{tag}⟧{MARKUP}"
    if max_length is not None and len(text) > max_length:
        text = SHORT_MARKUP.format(tag=tag)
    if max_length is not None and len(text) > max_length:
        raise ValueError(f"No payload fits in {max_length} characters")
    return text


def escaped_pattern(tag_prefix: str) -> re.Pattern:
    """Matches the escaped form of a payload whose tag starts with ``tag_prefix``."""
    prefix = re.escape(tag_prefix)
    long = rf"⟦{prefix}[^⟧]*⟧{re.escape(ESCAPED_MARKUP)}"
    short = rf"&lt;svg/{prefix}[^&]*&gt;"
    return re.compile(f"{long}|{short}")


def raw_markers_in(text: str) -> list[str]:
    return [marker for marker in RAW_MARKERS if marker in text]
