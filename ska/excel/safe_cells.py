"""Text that a spreadsheet program could take for a formula (CSV/formula injection).

OWASP's list: a cell whose text begins with =, +, -, @, a tab or a carriage return (or the
full-width =, +, -, @ that some programs also accept) may be run as a formula when the file is
opened. Every Excel and CSV writer of the app asks ``looks_like_formula``: the .xlsx writer keeps
such text a string cell marked "quote prefix" (Excel shows it as typed and keeps it text when
edited); CSV has no cell types, so ``csv_text`` puts an apostrophe first.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """``text`` for a CSV cell: an apostrophe first if a spreadsheet could run it."""
    return "'" + text if looks_like_formula(text) else text
