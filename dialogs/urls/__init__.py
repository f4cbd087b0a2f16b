"""URLs of the dialogs app, mounted at /dialoger/ in ska/urls.py; one module per part."""

from . import analysis, booking, committee, evaluation, holding, preparation, rounds

app_name = "dialogs"
urlpatterns = [
    *rounds.urlpatterns,
    *booking.urlpatterns,
    *preparation.urlpatterns,
    *holding.urlpatterns,
    *committee.urlpatterns,
    *evaluation.urlpatterns,
    *analysis.urlpatterns,
]
