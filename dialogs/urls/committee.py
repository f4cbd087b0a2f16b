"""URLs: the committee's quality dialogue."""

from django.urls import path

from ..views import committee

urlpatterns = [
    path("namnd/", committee.committee, name="committee"),
    path("namnd/amne/<int:pk>/", committee.committee_topic_edit, name="committee_topic_edit"),
    path("namnd/amne/<int:pk>/flytta/", committee.committee_topic_move, name="committee_topic_move"),
    path("namnd/amne/<int:pk>/ta-bort/", committee.committee_topic_delete, name="committee_topic_delete"),
    path("namnd/dialog/<int:pk>/", committee.committee_dialogue, name="committee_dialogue"),
    path("namnd/dialog/<int:pk>/kallelse/", committee.kallelse, name="kallelse"),
    path("namnd/besok/<int:pk>/ta-bort/", committee.committee_visit_delete, name="committee_visit_delete"),
]
