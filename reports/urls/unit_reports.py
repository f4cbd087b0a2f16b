"""URLs: unit_reports."""

urlpatterns: list = []
