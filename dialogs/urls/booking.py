"""URLs: publishing times and booking them."""

from django.urls import path

from ..views import booking

urlpatterns = [
    path("omgang/<int:pk>/tider/", booking.slots_create, name="slots_create"),
    path("omgang/<int:pk>/paminn/", booking.round_remind, name="round_remind"),
    path("tider/<int:pk>/ta-bort/", booking.slot_delete, name="slot_delete"),
    path("dialog/<int:pk>/boka/", booking.dialogue_book, name="dialogue_book"),
    path("dialog/<int:pk>/tilldela/", booking.dialogue_assign, name="dialogue_assign"),
    path("dialog/<int:pk>/avboka/", booking.dialogue_cancel, name="dialogue_cancel"),
]
