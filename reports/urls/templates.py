"""URLs: the administration's report templates per school form."""

from django.urls import path

from ..views import templates as views

urlpatterns: list = [
    path("mallar/", views.template_list, name="template_list"),
    path("mallar/ny/", views.template_create, name="template_create"),
    path("mallar/<int:pk>/", views.template_edit, name="template_edit"),
    path("mallar/<int:pk>/avsnitt/ny/", views.template_section_add, name="template_section_add"),
    path("mallar/avsnitt/<int:pk>/", views.template_section_edit, name="template_section_edit"),
    path("mallar/avsnitt/<int:pk>/flytta/", views.template_section_move, name="template_section_move"),
    path("mallar/avsnitt/<int:pk>/ta-bort/", views.template_section_delete, name="template_section_delete"),
]
