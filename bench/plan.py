"""The page mix the load benchmark drives, resolved against a seeded demo database.

``build_plan`` picks the people (a pool of rektorer of units with a goal chain this school year,
and förvaltningsledning) and the URL of every page in the mix, and returns them as plain data
(JSON) for the load generator, which imports nothing of the app. Needs Django set up.
"""

from __future__ import annotations

from django.urls import reverse

BARE = "bare"
# (name, who opens it, method, weight): the mix one simulated person works through. Rektorer
# open their unit and record check-ins most; förvaltningsledning looks at the administration.
PAGES = [
    ("unit page", "rector", "GET", 4),
    ("check-in save", "rector", "POST", 2),
    ("matrix", "leader", "GET", 2),
    ("equity", "leader", "GET", 1),
    ("annual wheel", "leader", "GET", 1),
    ("dialogue round", "leader", "GET", 1),
    ("reports list", "leader", "GET", 1),
    (BARE, "rector", "GET", 2),
]
PAGE_NAMES = [name for name, *_ in PAGES]
LEADERS = ["skolchef", "utvecklingschef", "verksamhetschef"]
# How the load generator finds the CSRF token: in the login form, and in the page's htmx headers.
LOGIN_TOKEN = r'name="csrfmiddlewaretoken" value="([^"]+)"'
HTMX_TOKEN = r'"X-CSRFToken": "([^"]+)"'
# Check-ins the benchmark records carry this comment, so that the next run can remove them.
CHECK_IN_COMMENT = "lasttest"


def build_plan(rectors: int) -> dict:
    """The first ``rectors`` rektorer (by user name) whose unit has an indicator this school year,
    each with their unit page and the indicator they record check-ins on, and the pages
    förvaltningsledning opens."""
    from annualwheel.models import Wheel
    from dialogs.models import Round
    from ska.models import Goal, Indicator, Role, RoleAssignment
    from ska.schoolyear import SchoolYear

    school_year = SchoolYear.current()
    people = []
    assignments = (
        RoleAssignment.objects.filter(role=Role.RECTOR, unit__administration__isnull=False, user__is_active=True)
        .select_related("user", "unit")
        .order_by("user__username", "unit__name")
    )
    seen = set()
    for assignment in assignments:
        if assignment.user_id in seen:
            continue
        indicator = (
            Indicator.objects.filter(goal__unit=assignment.unit, goal__school_year=school_year)
            .order_by("goal__title", "pk")
            .first()
        )
        if indicator is None:
            continue
        seen.add(assignment.user_id)
        people.append(
            {
                "username": assignment.user.username,
                "unit page": assignment.unit.get_absolute_url(),
                "check-in save": reverse("check_in_create", args=[indicator.pk]),
                "indicator": indicator.pk,
            }
        )
        if len(people) == rectors:
            break
    if len(people) < rectors:
        raise RuntimeError(f"Only {len(people)} rektorer have a goal chain this school year; {rectors} wanted.")

    goal = (
        Goal.objects.filter(level=Goal.Level.ADMINISTRATION, school_year=school_year, administration__isnull=False)
        .order_by("administration__name", "pk")
        .first()
    )
    wheel = Wheel.objects.filter(administration=goal.administration, school_year=school_year).order_by("pk").first()
    round_ = (
        Round.objects.filter(administration=goal.administration, kind="administration")
        .order_by("-starts_on", "pk")
        .first()
    )
    leader_pages = {
        "matrix": reverse("chain_matrix"),
        "equity": reverse("equity", args=[goal.pk]),
        "annual wheel": reverse("annualwheel:wheel_detail", args=[wheel.pk]),
        "dialogue round": reverse("dialogs:round_detail", args=[round_.pk]),
        "reports list": reverse("reports:index"),
    }
    return {
        "school_year": str(school_year),
        "login": reverse("login"),
        "patterns": {"login_token": LOGIN_TOKEN, "htmx_token": HTMX_TOKEN},
        BARE: reverse("bench_bare"),
        "rectors": people,
        "leaders": LEADERS,
        "leader_pages": leader_pages,
        "pages": [{"name": n, "who": who, "method": m, "weight": w} for n, who, m, w in PAGES],
        # What the check-in form posts: a value typed the Swedish way, the date left to default to today.
        "check_in_form": {"value": "72,5", "date": "", "group_size": "60", "comment": CHECK_IN_COMMENT},
    }


def remove_bench_check_ins() -> int:
    """Delete the check-ins earlier runs recorded, so every run sees the same data."""
    from ska.models import CheckIn

    deleted, _ = CheckIn.all_objects.filter(comment=CHECK_IN_COMMENT).delete()
    CheckIn.history.model.objects.filter(comment=CHECK_IN_COMMENT).delete()  # deleting wrote a record too
    return deleted
