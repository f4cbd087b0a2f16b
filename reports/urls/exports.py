"""URLs: exports (a document's data as Excel, a school year's archive as a ZIP)."""

from django.urls import path

from ..views import exports as views

urlpatterns: list = [
    path("dokument/<int:pk>/excel/", views.document_excel, name="document_excel"),
    path("arkiv/", views.year_archive_page, name="year_archive"),
    path("arkiv/hamta/", views.year_archive_download, name="year_archive_download"),
]
