"""URLs: a round's analysis."""

from django.urls import path

from ..views import analysis

urlpatterns = [
    path("omgang/<int:pk>/analys/", analysis.round_analysis, name="round_analysis"),
]
