"""Calendars: an event to download as .ics, and private feed addresses that calendar programs
subscribe to without logging in (the person's own calendar or one wheel's)."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ska.access import get_visible_or_404, require_perm, visible_wheels
from ska.schoolyear import SchoolYear

from ..models import CalendarFeed, Event
from ..services import ical

CALENDAR = "text/calendar; charset=utf-8"
MY_CALENDAR = "me"
# A feed's last use is written at most this often, not at every poll of every calendar program.
LAST_USED_PRECISION = datetime.timedelta(minutes=10)
FEED_MAX_AGE = 15 * 60


def _calendar_response(content: bytes, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request, pk):
    """One event with all its occurrences, to open in a calendar program."""
    events = Event.objects.filter(wheel__deleted_at__isnull=True).select_related(
        "wheel__unit", "wheel__committee", "wheel__administration"
    )
    event = get_visible_or_404(request.user, events, "ska.view_wheel", pk=pk)
    name = slugify(f"{event.title} {event.start_date:%Y-%m-%d}") or "event"
    return _calendar_response(ical.event_calendar(event, request), filename=f"{name[:80]}.ics")


# --- The person's feeds ------------------------------------------------------------------------
def feed_wheels(user):
    """The wheels a person may subscribe to: those they can see, this school year and next."""
    year = SchoolYear.current()
    return (
        visible_wheels(user)
        .filter(school_year__in=[year, year.next()])
        .select_related("administration", "committee", "unit")
        .order_by("school_year", "name", "pk")
    )


class FeedForm(forms.Form):
    calendar = forms.ChoiceField(
        label=gettext_lazy("Calendar"),
        help_text=gettext_lazy("Your own calendar has everything that concerns you, from all the wheels you follow."),
    )

    def __init__(self, *args, wheels, **kwargs):
        super().__init__(*args, **kwargs)
        self.wheels = {str(wheel.pk): wheel for wheel in wheels}
        wheel_choices = [(key, f"{wheel} ({wheel.owner})") for key, wheel in self.wheels.items()]
        choices = [(MY_CALENDAR, _("My calendar: everything that concerns me"))]
        if wheel_choices:
            choices.append((_("Annual wheels"), wheel_choices))
        self.fields["calendar"].choices = choices

    @property
    def wheel(self):
        """The chosen wheel, or None for the person's own calendar."""
        return self.wheels.get(self.cleaned_data["calendar"])


def feed_url(request, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(reverse("annualwheel:feed", args=[feed.token]))


def feed_name(feed: CalendarFeed) -> str:
    return str(feed.wheel) if feed.wheel_id else _("My calendar")


def _feed_row(request, feed: CalendarFeed) -> dict:
    url = feed_url(request, feed)
    # webcal:// asks the computer's calendar program to subscribe (it fetches over https).
    return {"feed": feed, "name": feed_name(feed), "url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@require_http_methods(["GET", "POST"])
@require_perm("ska.use_wheels")
def calendar_feeds(request):
    """The person's calendar feeds: their addresses, and making and revoking them."""
    form = FeedForm(request.POST or None, wheels=feed_wheels(request.user))
    if request.method == "POST" and form.is_valid():
        wheel = form.wheel
        existing = CalendarFeed.objects.filter(user=request.user, wheel=wheel, revoked_at__isnull=True).first()
        if existing is None:
            CalendarFeed.objects.create(user=request.user, wheel=wheel)
            messages.success(
                request,
                _("The address for “%(calendar)s” is ready. Copy it into your calendar program.")
                % {"calendar": wheel or _("My calendar")},
            )
        else:
            messages.info(
                request,
                _("You already have an address for “%(calendar)s”; it is in the list below.")
                % {"calendar": wheel or _("My calendar")},
            )
        return redirect("annualwheel:calendar_feeds")
    feeds = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).select_related("wheel")
    return render(
        request,
        "annualwheel/calendar_feeds.html",
        {"feeds": [_feed_row(request, feed) for feed in feeds], "form": form},
    )


@require_POST
def calendar_feed_revoke(request, pk):
    """Stop a feed's address for good; only its owner may."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("wheel"), pk=pk, user=request.user)
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        messages.success(
            request,
            _("The address for “%(calendar)s” no longer works. Calendar programs that used it get no more updates.")
            % {"calendar": feed_name(feed)},
        )
    return redirect("annualwheel:calendar_feeds")


# --- The feed itself ---------------------------------------------------------------------------
@login_not_required
@require_GET
def feed(request, token):
    """The calendar behind a private address, for calendar programs (no login: the token is
    the key). Whether the person may still see it is checked at every fetch; a 404 says nothing
    of why."""
    if len(token) > 64:
        raise Http404
    try:
        subscription = CalendarFeed.objects.select_related(
            "user", "wheel__unit", "wheel__committee", "wheel__administration"
        ).get(token=token, revoked_at__isnull=True)
    except CalendarFeed.DoesNotExist:
        raise Http404
    user, wheel = subscription.user, subscription.wheel
    if not user.is_active:
        raise Http404
    if wheel is None:
        content = ical.person_calendar(user, request)
    elif wheel.is_deleted or not user.has_perm("ska.view_wheel", wheel):
        raise Http404
    else:
        content = ical.wheel_calendar(wheel, request)
    now = timezone.now()
    if subscription.last_used_at is None or now - subscription.last_used_at >= LAST_USED_PRECISION:
        CalendarFeed.objects.filter(pk=subscription.pk).update(last_used_at=now)
    response = _calendar_response(content)
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE}"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
