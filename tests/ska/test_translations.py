"""The Swedish catalogue is complete and the compiled file is the current one."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "sv" / "LC_MESSAGES"


def test_every_text_has_a_swedish_translation():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo}
    for entry in po.translated_entries():
        assert (entry.msgctxt, entry.msgid) in compiled, f"Run `make messages`: {entry.msgid!r} is not compiled"
        assert compiled[(entry.msgctxt, entry.msgid)] == (
            entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())),
        ), f"Run `make messages`: {entry.msgid!r} is out of date"
