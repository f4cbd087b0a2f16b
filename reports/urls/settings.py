"""URLs: the municipality's report settings."""

from django.urls import path

from ..views import settings as views

urlpatterns: list = [
    path("installningar/", views.report_settings, name="report_settings"),
    path("installningar/<int:pk>/logotyp/", views.report_settings_logo, name="report_settings_logo"),
]
