"""URLs: holding a dialogue, its notes and the agreed actions."""

from django.urls import path

from ..views import holding as views

urlpatterns: list = [
    path("dialog/<int:pk>/genomforande/", views.dialogue_hold, name="dialogue_hold"),
    path("dialog/<int:pk>/genomforande/narvaro/", views.dialogue_attendance, name="dialogue_attendance"),
    path("dialog/<int:pk>/genomforande/deltagare/", views.participant_add, name="participant_add"),
    path(
        "dialog/<int:pk>/genomforande/deltagare/<int:participant_pk>/ta-bort/",
        views.participant_remove,
        name="participant_remove",
    ),
    path("dialog/<int:pk>/genomforande/hallen/", views.dialogue_mark_held, name="dialogue_mark_held"),
    path("dialog/<int:pk>/genomforande/dela/", views.notes_share, name="notes_share"),
    path("dialog/<int:pk>/genomforande/las/", views.notes_lock, name="notes_lock"),
    path("dialog/<int:pk>/genomforande/atgarder/", views.action_add, name="action_add"),
    path(
        "dialog/<int:pk>/genomforande/uppfoljning/<int:action_pk>/", views.action_follow_up, name="action_follow_up"
    ),
    path("dialog/<int:pk>/anteckningar/", views.dialogue_notes, name="dialogue_notes"),
    path("dialog/<int:pk>/anteckningar/kommentar/", views.note_comment_add, name="note_comment_add"),
    path("anteckning/<int:pk>/", views.topic_note_save, name="topic_note_save"),
    path("anteckning/<int:pk>/kommentar/", views.topic_comment_add, name="topic_comment_add"),
    path("atgard/<int:pk>/andra/", views.action_edit, name="action_edit"),
    path("atgard/<int:pk>/ta-bort/", views.action_delete, name="action_delete"),
    path("atgard/<int:pk>/klar/", views.action_done, name="action_done"),
]
