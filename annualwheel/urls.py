"""URLs of the annualwheel app, mounted at /arshjul/ in ska/urls.py."""

from django.urls import path

from .views import calendars, copy, events, reminders, settings, wheels

app_name = "annualwheel"
urlpatterns = [
    path("", wheels.overview, name="overview"),
    path("hjul/ny/", wheels.wheel_create, name="wheel_create"),
    path("hjul/<int:pk>/", wheels.wheel_detail, name="wheel_detail"),
    path("hjul/<int:pk>/andra/", wheels.wheel_edit, name="wheel_edit"),
    path("hjul/<int:pk>/kopiera/", copy.wheel_copy, name="wheel_copy"),
    path("hjul/<int:wheel_pk>/handelser/ny/", events.event_create, name="event_create"),
    path("handelser/<int:pk>/", events.event_detail, name="event_detail"),
    path("handelser/<int:pk>/andra/", events.event_edit, name="event_edit"),
    path("handelser/<int:pk>/ta-bort/", events.event_delete, name="event_delete"),
    path("handelser/<int:pk>/aterstall/", events.event_restore, name="event_restore"),
    path("tillfallen/<int:pk>/", events.occurrence_change, name="occurrence_change"),
    path("installningar/", settings.wheel_settings, name="settings"),
    path("installningar/lov/<int:pk>/ta-bort/", settings.school_break_delete, name="school_break_delete"),
    # Calendars
    path("handelser/<int:pk>/kalender.ics", calendars.event_ics, name="event_ics"),
    path("kalendrar/", calendars.calendar_feeds, name="calendar_feeds"),
    path("kalendrar/<int:pk>/aterkalla/", calendars.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("kalender/<str:token>.ics", calendars.feed, name="feed"),
    # Reminders
    path("paminnelser/", reminders.reminder_preferences, name="reminder_preferences"),
]
