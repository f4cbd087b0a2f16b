"""The municipality's report settings: a logo only with a text alternative and only if it is a
real image, the suppression threshold (at least 2), kept by förvaltningsledning, with history."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from reports.models import ReportSettings
from reports.services import report_settings as services
from reports.services.unit_reports import ImageRejected

URL = "reports:report_settings"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), (20, 60, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


def logo(data=None, name="logo.png"):
    return SimpleUploadedFile(name, png() if data is None else data, content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_leadership_sets_the_logo_and_the_threshold(org, people, login, settings):
    client = login(people.leadership)
    page = client.get(reverse(URL))
    assert page.status_code == 200 and page.context["municipality"] == org.municipality
    response = client.post(reverse(URL), {"logo": logo(), "logo_alt": "Testkommuns logotyp", "suppression_threshold": 5})
    assert response.status_code == 302
    saved = ReportSettings.objects.get(municipality=org.municipality)
    assert saved.logo_alt == "Testkommuns logotyp" and saved.logo.name.endswith(".png")
    org.municipality.refresh_from_db()
    assert org.municipality.suppression_threshold == 5
    assert org.municipality.history.latest().history_user == people.leadership
    assert saved.history.latest().history_user == people.leadership
    served = client.get(reverse("reports:report_settings_logo", args=[org.municipality.pk]))
    assert served.status_code == 200 and b"".join(served.streaming_content) == png()
    body = client.get(reverse(URL)).content.decode()
    assert 'alt="Testkommuns logotyp"' in body

    # Keeping the logo still needs its text alternative; removing it does not.
    response = client.post(reverse(URL), {"logo_alt": "", "suppression_threshold": 5})
    assert response.status_code == 400 and "logo_alt" in response.context["form"].errors
    response = client.post(reverse(URL), {"logo_alt": "", "remove_logo": "on", "suppression_threshold": 10})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert not saved.logo and saved.logo_alt == ""
    assert client.get(reverse("reports:report_settings_logo", args=[org.municipality.pk])).status_code == 404


def test_a_logo_without_a_text_alternative_is_refused_and_nothing_is_saved(org, people, login, settings):
    response = login(people.leadership).post(reverse(URL), {"logo": logo(), "logo_alt": "  ", "suppression_threshold": 4})
    assert response.status_code == 400
    assert "logo_alt" in response.context["form"].errors
    assert 'id="id_logo_alt_error"' in response.content.decode()
    assert not ReportSettings.objects.exists() and not stored(settings)
    org.municipality.refresh_from_db()
    assert org.municipality.suppression_threshold == 10
    with pytest.raises(ImageRejected):
        services.settings_save(municipality=org.municipality, user=people.leadership, logo=logo(), logo_alt="",
                               suppression_threshold=10)
    assert not stored(settings)


@pytest.mark.parametrize("data, name", [(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg"), (b"GIF89a....", "logo.png")])
def test_a_logo_that_is_not_a_png_or_jpeg_is_refused(org, people, login, settings, data, name):
    response = login(people.leadership).post(
        reverse(URL), {"logo": logo(data, name), "logo_alt": "Logotyp", "suppression_threshold": 10}
    )
    assert response.status_code == 400 and "logo" in response.context["form"].errors
    assert not ReportSettings.objects.exists() and not stored(settings)


@pytest.mark.parametrize("value", ["1", "0", "-3", "abc", "", "100000"])
def test_the_threshold_is_at_least_2(org, people, login, value):
    response = login(people.leadership).post(reverse(URL), {"logo_alt": "", "suppression_threshold": value})
    assert response.status_code == 400 and "suppression_threshold" in response.context["form"].errors
    org.municipality.refresh_from_db()
    assert org.municipality.suppression_threshold == 10


@pytest.mark.parametrize("role, expected", [
    ("leadership", 200), ("sysadmin", 200), ("rector", 403), ("contributor", 403), ("secretary", 403),
    ("member", 403), ("provider_contact", 403), ("outsider", 403),
])
def test_only_the_leadership_and_administrators_keep_the_settings(org, people, login, role, expected):
    client = login(getattr(people, role))
    assert client.get(reverse(URL)).status_code == expected
    response = client.post(reverse(URL), {"logo_alt": "", "suppression_threshold": 3})
    assert response.status_code == (302 if expected == 200 else 403)
    org.municipality.refresh_from_db()
    assert org.municipality.suppression_threshold == (3 if expected == 200 else 10)


def test_another_municipality_is_out_of_reach(org, people, login):
    from ..factories import MunicipalityFactory

    other = MunicipalityFactory(name="Grannkommunen")
    client = login(people.leadership)
    assert client.get(reverse(URL), {"kommun": other.pk}).status_code == 404
    assert client.get(reverse(URL), {"kommun": "x"}).status_code == 404
    assert client.post(reverse(URL), {"kommun": other.pk, "suppression_threshold": 3}).status_code == 404
    assert client.get(reverse("reports:report_settings_logo", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.suppression_threshold == 10
    assert login(people.sysadmin).get(reverse(URL), {"kommun": other.pk}).context["municipality"] == other
