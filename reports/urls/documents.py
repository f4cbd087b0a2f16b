"""URLs: the reports page and generated documents (build, progress, download, publish)."""

from django.urls import path

from ..views import documents as views

urlpatterns: list = [
    path("", views.index, name="index"),
    path("dokument/skapa/", views.document_build, name="document_build"),
    path("dokument/<int:pk>/", views.document, name="document"),
    path("dokument/<int:pk>/hamta/", views.document_download, name="document_download"),
    path("dokument/<int:pk>/forsok-igen/", views.document_retry, name="document_retry"),
    path("dokument/<int:pk>/publicera/", views.document_publish, name="document_publish"),
    path("dokument/<int:pk>/kontrollera/", views.document_verify, name="document_verify"),
]
