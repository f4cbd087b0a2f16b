"""A Kolada-fed indicator in the unit report: the snapshot keeps where its values come from and
its reference lines, the PDF draws the reference lines in the chart, says the source (and when
Kolada could not be reached), and marks the check-ins fetched from Kolada. A snapshot gathered
before there were Kolada sources still renders."""

import json

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from reports.services.pdf import render_html
from reports.templatetags.report_format import report_date
from tests.kolada.test_chart import FETCHED, make_kolada_indicator

from .test_pdf import build, flat
from .unit_report_helpers import make_unit_report

SOURCE = "Source: Kolada, %(kpi_id)s %(kpi_title)s (%(entity)s), fetched %(date)s."
UNREACHABLE = "Kolada could not be reached at the latest fetch; the values are from %(date)s."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def swedish(msgid: str, **values) -> str:
    """A message as the report prints it (in Swedish, once translated)."""
    with translation.override("sv"):
        return _(msgid) % values if values else _(msgid)


def _find_all(node, indicator_id):
    """The snapshot's indicator dicts with this id, wherever the report keeps them."""
    if isinstance(node, dict):
        if node.get("id") == indicator_id and "check_ins" in node:
            yield node
            return
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return
    for child in children:
        yield from _find_all(child, indicator_id)


def _find(node, indicator_id):
    return next(_find_all(node, indicator_id))


def test_the_pdf_names_the_source_and_draws_the_reference_lines(report_chain):
    indicator = make_kolada_indicator(report_chain.goal)
    result = build(make_unit_report(report_chain))
    data = _find(result.data, indicator.pk)
    json.dumps(result.data)  # still plain JSON
    assert data["kolada"] == {
        "kpi_id": "N15505", "kpi_title": "Elever i åk 9, meritvärde kommunala skolor, genomsnitt",
        "entity_title": "Österportskolan", "fetched_at": data["kolada"]["fetched_at"], "unreachable": False,
    }
    assert data["kolada"]["fetched_at"].startswith("2026-11-20T")
    municipality = next(r for r in data["references"] if r["key"] == "municipality")
    assert municipality["label"] == "Ekvalla kommun"
    assert municipality["points"][1] == {"date": "2022-06-30", "value": None}  # missing, not zero
    assert [r["key"] for r in data["references"]] == ["municipality", "group", "country"]
    assert {c["source"] for c in data["check_ins"]} == {"kolada"}
    assert all(c["fetched_at"].startswith("2026-11-20T") for c in data["check_ins"])
    # Check-ins entered by hand say so too: no source.
    hand = _find(result.data, report_chain.indicator.pk)
    assert {c["source"] for c in hand["check_ins"]} == {""} and hand["kolada"] is None and hand["references"] == []

    # The chart in the HTML: one line per reference series.
    for key in ("municipality", "group", "country"):
        assert result.html.count(f'<polyline class="reference ref-{key}"') == 1
    # The PDF: the source note, the lines' labels and legend, the check-ins marked.
    text = flat(result.text)
    with translation.override("sv"):
        fetched = report_date(data["kolada"]["fetched_at"])
    assert swedish(
        SOURCE, kpi_id="N15505", kpi_title="Elever i åk 9, meritvärde kommunala skolor, genomsnitt",
        entity="Österportskolan", date=fetched,
    ) in text
    assert "Ekvalla kommun 226" in text and "Liknande kommuner, grundskola" in text
    assert swedish("Check-ins") in text
    assert text.count(f"({swedish('from Kolada')})") == 3
    assert swedish(UNREACHABLE, date=fetched) not in text


def test_the_pdf_says_when_kolada_could_not_be_reached(report_chain):
    indicator = make_kolada_indicator(report_chain.goal, unreachable=True)
    result = build(make_unit_report(report_chain))
    assert _find(result.data, indicator.pk)["kolada"]["unreachable"] is True
    with translation.override("sv"):
        fetched = report_date(FETCHED.isoformat())
    assert swedish(UNREACHABLE, date=fetched) in flat(result.text)


def test_a_snapshot_from_before_kolada_still_renders(report_chain):
    indicator = make_kolada_indicator(report_chain.goal)
    result = build(make_unit_report(report_chain))
    old = json.loads(json.dumps(result.data))
    for data in _find_all(old, indicator.pk):
        del data["kolada"], data["references"]
        for check_in in data["check_ins"]:
            del check_in["source"], check_in["fetched_at"]
    html = render_html(old)
    assert indicator.title in html and '<polyline class="reference' not in html
    assert swedish("from Kolada") not in html and "N15505" not in html
