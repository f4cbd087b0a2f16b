"""A unit's goal chain for a school year with everything a quality report is built from,
including a check-in from a group of 9 (below the default threshold of 10)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from ska.models import ActivityFollowUp, ActivityIndicator, Analysis, DevelopmentArea, Goal, ValidityReview
from tests.factories import YEAR, ActivityFactory, AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory

# Written with the Swedish decimal comma in pages and PDFs: "91,25". No other value uses these digits.
SMALL_GROUP_VALUE = Decimal("91.25")


@pytest.fixture
def report_chain(org):
    admin_goal = AdministrationGoalFactory(
        administration=org.administration, title="Alla elever ska känna sig trygga i skolan", sort_order=1
    )
    other_admin_goal = AdministrationGoalFactory(
        administration=org.administration, title="Fler elever ska nå kunskapskraven", sort_order=2
    )
    goal = UnitGoalFactory(
        unit=org.unit, parent=admin_goal, title="Tryggare raster på Österportskolan",
        expected_effects="Färre elever uppger att de känner sig otrygga på rasterna.",
    )
    indicator = IndicatorFactory(
        goal=goal, title="Andel elever som känner sig trygga på rasten", unit_of_measure="%",
        baseline_value=Decimal("72"), target_value=Decimal("85"),
    )
    shown = CheckInFactory(indicator=indicator, date=datetime.date(2025, 11, 20), value=Decimal("78.4"), group_size=48)
    small = CheckInFactory(indicator=indicator, date=datetime.date(2026, 3, 20), value=SMALL_GROUP_VALUE, group_size=9)
    local_goal = Goal.objects.create(
        level=Goal.Level.LOCAL, unit=org.unit, school_year=YEAR, title="Utomhuspedagogik i alla ämnen",
        start_term=YEAR.autumn, end_term=YEAR.spring,
    )
    local_indicator = IndicatorFactory(goal=local_goal, title="Lektioner utomhus per vecka", unit_of_measure="st",
                                       baseline_value=Decimal("2"), target_value=Decimal("6"))
    CheckInFactory(indicator=local_indicator, date=datetime.date(2026, 2, 1), value=Decimal("4"), group_size=None)
    activity = ActivityFactory(goal=goal, title="Rastvärdar från årskurs 6", status="done")
    ActivityIndicator.objects.create(activity=activity, indicator=indicator)
    follow_up = ActivityFollowUp.objects.create(
        activity=activity, date=datetime.date(2026, 1, 15), process_data="Rastvärdarna har varit ute varje dag.",
        on_track=ActivityFollowUp.OnTrack.YES,
    )
    analysis = Analysis.objects.create(
        goal=goal, term=YEAR.spring, results="Tryggheten har ökat.", causes="Fler vuxna och elever ute på rasterna.",
        participants=["teachers", "pupils"], activity_effect="Rastvärdarna gör skillnad.", attainment=3,
    )
    review = ValidityReview.objects.create(
        analysis=analysis, indicator=indicator, reliability="Hög svarsfrekvens.", measures_intended="Ja.",
        reflects_reality="Stämmer med observationer.",
    )
    area = DevelopmentArea.objects.create(analysis=analysis, title="Trygghet i omklädningsrummen")
    return SimpleNamespace(
        unit=org.unit, school_year=YEAR, admin_goal=admin_goal, other_admin_goal=other_admin_goal, goal=goal,
        indicator=indicator, shown_check_in=shown, small_check_in=small, local_goal=local_goal,
        local_indicator=local_indicator, activity=activity, follow_up=follow_up, analysis=analysis,
        review=review, development_area=area,
    )
