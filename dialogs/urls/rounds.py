"""URLs: rounds, dialogues, templates."""

from django.urls import path

from ..views import rounds, templates

urlpatterns = [
    path("", rounds.round_list, name="round_list"),
    path("omgang/ny/", rounds.round_create, name="round_create"),
    path("omgang/<int:pk>/", rounds.round_detail, name="round_detail"),
    path("omgang/<int:pk>/andra/", rounds.round_edit, name="round_edit"),
    path("omgang/<int:pk>/status/", rounds.round_status, name="round_status"),
    path("omgang/<int:pk>/motparter/", rounds.round_counterparts, name="round_counterparts"),
    path("dialog/<int:pk>/", rounds.dialogue_detail, name="dialogue_detail"),
    path("dialog/<int:pk>/ta-bort/", rounds.dialogue_remove, name="dialogue_remove"),
    path("installningar/mallar/", templates.dialogue_templates, name="templates"),
]
