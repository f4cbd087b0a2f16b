"""URLs: unit reports (the report's page, its sections and images, the workflow, the overview)."""

from django.urls import path

from ..views import unit_reports as views

urlpatterns: list = [
    path("enhetsrapporter/", views.unit_report_overview, name="unit_report_overview"),
    path("enhetsrapporter/<int:pk>/", views.unit_report, name="unit_report"),
    path("enhetsrapporter/<int:pk>/lamna-in/", views.unit_report_submit, name="unit_report_submit"),
    path("enhetsrapporter/<int:pk>/atersand/", views.unit_report_return, name="unit_report_return"),
    path("enhetsrapporter/<int:pk>/godkann/", views.unit_report_approve, name="unit_report_approve"),
    path("enheter/<int:unit_pk>/enhetsrapport/<int:year>/starta/", views.unit_report_start, name="unit_report_start"),
    path("avsnitt/<int:pk>/", views.section_save, name="section_save"),
    path("avsnitt/<int:pk>/bilder/", views.image_add, name="image_add"),
    path("bilder/<int:pk>/", views.image_file, name="image_file"),
    path("bilder/<int:pk>/ta-bort/", views.image_remove, name="image_remove"),
]
