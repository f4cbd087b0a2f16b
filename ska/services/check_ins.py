"""Recording check-ins (*avstämningar*) on indicators."""

from django.db import transaction

from ..models import CheckIn, Indicator


@transaction.atomic
def check_in_record(*, indicator: Indicator, values: dict, user=None, origin: str = CheckIn.Origin.MANUAL) -> CheckIn:
    check_in = CheckIn(indicator=indicator, origin=origin, **values)
    check_in.full_clean()
    check_in._history_user = user
    check_in.save()
    return check_in
