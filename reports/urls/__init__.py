"""URLs of the reports app, mounted at /rapporter/ in ska/urls.py; one module per part."""

from . import documents, exports, settings, templates, unit_reports

app_name = "reports"
urlpatterns = [
    *documents.urlpatterns,
    *unit_reports.urlpatterns,
    *templates.urlpatterns,
    *settings.urlpatterns,
    *exports.urlpatterns,
]
