"""``manage.py build_report`` builds every kind of report as a PDF from the demo data, with the
same content as the web's build job, and says clearly what is wrong with bad arguments."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from dialogs.models import Dialogue, Round
from reports.models import UnitReport
from reports.services.data import gather
from reports.templatetags.report_format import typographic
from ska.models import Administration, Unit
from ska.schoolyear import SchoolYear
from tests.factories import YEAR

from .conftest import SMALL_GROUP_VALUE


def build(tmp_path, *args) -> tuple[PdfReader, str, str]:
    out = tmp_path / "report.pdf"
    stdout = io.StringIO()
    call_command("build_report", *args, "--out", str(out), stdout=stdout)
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", " ", re.sub(r"\u2010\s+|-\n", "", text.replace("\u00a0", " ")))
    return reader, text, stdout.getvalue()


def outline_titles(reader: PdfReader) -> set[str]:
    titles = set()

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.add(item.title.strip())

    walk(reader.outline)
    return titles


@pytest.mark.django_db
def test_every_kind_is_built_from_the_demo_data(tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    administration = Administration.objects.get()
    unit = Unit.objects.get(name="Österportskolan")
    round_ = Round.objects.filter(
        dialogues__notes_state__in=[Dialogue.NotesState.SHARED, Dialogue.NotesState.LOCKED]
    ).distinct().first()
    last_year = SchoolYear.current().previous()
    cases = [
        (["--kind", "unit", "--unit", str(unit.pk)], {"unit_report": None}),
        (["--kind", "overall", "--year", str(last_year)], {"administration": administration, "school_year": last_year}),
        (["--kind", "forskola", "--year", str(last_year)], {"administration": administration, "school_year": last_year}),
        (["--kind", "grundskola"], {"administration": administration}),
        (["--kind", "analysis", "--round", str(round_.pk)], {"round_": round_, "school_year": round_.school_year}),
        (["--kind", "plan"], {"administration": administration}),
    ]
    for args, gather_args in cases:
        kind = args[1]
        reader, text, said = build(tmp_path, *args)
        assert len(reader.pages) >= 3, kind
        assert "pages in" in said and " seconds" in said
        if kind == "unit":  # the command started the unit's report for the current year
            gather_args = {"unit_report": UnitReport.objects.get(unit=unit, school_year=SchoolYear.current())}
        data = gather(kind, **{"school_year": SchoolYear.current(), **gather_args})
        assert reader.metadata.title == data["title"], kind
        # Every section is a heading in the PDF's outline (and so in its table of contents).
        assert {typographic(s["title"]) for s in data["sections"]} <= outline_titles(reader), kind
        if kind in ("overall", "forskola", "grundskola", "plan"):
            assert "Trygghet och studiero" in text, kind  # an administration-wide goal of the demo
        if kind == "grundskola":
            assert "Andel elever som svarar att det är arbetsro på lektionerna" in text
        if kind == "analysis":
            assert "Österportskolan" in text
        if kind == "plan":
            assert "Nämndsmöte BUN" in text and "Ekvalla – där alla barn och elever lär" in text


def test_a_value_from_a_group_of_nine_is_not_in_the_built_pdf(tmp_path, org, report_chain):
    reader, text, _said = build(tmp_path, "--kind", "grundskola", "--year", str(YEAR))
    assert report_chain.indicator.title in text and report_chain.admin_goal.title in text
    assert str(SMALL_GROUP_VALUE).replace(".", ",") not in text and str(SMALL_GROUP_VALUE) not in text
    reader, text, _said = build(tmp_path, "--kind", "unit", "--unit", str(org.unit.pk), "--year", str(YEAR))
    assert "78,4" in text  # the shown check-in
    assert str(SMALL_GROUP_VALUE).replace(".", ",") not in text and str(SMALL_GROUP_VALUE) not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "unit"], "needs --unit"),
        (["--kind", "unit", "--unit", "999999"], "no unit with id 999999"),
        (["--kind", "overall", "--year", "2025-27"], "not a school year"),
        (["--kind", "overall", "--unit", "1"], "only for --kind unit"),
        (["--kind", "plan", "--round", "1"], "only for --kind analysis"),
        (["--kind", "analysis"], "needs --round"),
        (["--kind", "analysis", "--round", "999999"], "no dialogue round with id 999999"),
        (["--kind", "plan", "--administration", "999999"], "no administration with id 999999"),
    ],
)
def test_bad_arguments_give_clear_errors(args, message, tmp_path, org):
    with pytest.raises(CommandError, match=message):
        call_command("build_report", *args, "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_a_unit_of_an_independent_provider_has_no_report(tmp_path, org):
    with pytest.raises(CommandError, match="independent provider"):
        call_command("build_report", "--kind", "unit", "--unit", str(org.provider_unit.pk), "--out", str(tmp_path / "x.pdf"))


def test_the_administration_must_be_chosen_when_there_are_several(tmp_path, org):
    from tests.factories import AdministrationFactory

    AdministrationFactory(municipality=org.municipality)
    with pytest.raises(CommandError, match="more than one administration"):
        call_command("build_report", "--kind", "plan", "--out", str(tmp_path / "x.pdf"))
    call_command("build_report", "--kind", "plan", "--administration", str(org.administration.pk),
                 "--out", str(tmp_path / "x.pdf"), stdout=io.StringIO())
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")


def test_the_out_folder_must_exist(tmp_path, org):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("build_report", "--kind", "plan", "--out", str(tmp_path / "nowhere" / "x.pdf"))
    with pytest.raises(CommandError, match="is a folder"):
        call_command("build_report", "--kind", "plan", "--out", str(tmp_path))


def test_the_rounds_school_year_must_match_a_given_year(tmp_path, org):
    from tests.factories import RoundFactory

    round_ = RoundFactory(administration=org.administration)
    other_year = round_.school_year.previous()
    with pytest.raises(CommandError, match=f"not {other_year}"):
        call_command("build_report", "--kind", "analysis", "--round", str(round_.pk), "--year", str(other_year),
                     "--out", str(tmp_path / "x.pdf"))
