"""Shared setup for the dialogue tests: a fristående round with two providers' dialogues and
times hosted by the skolchef."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dialogs.services.rounds import counterparts_add
from ska.models import Role

from ..factories import RoleFactory, RoundFactory, SlotFactory, UserFactory


@pytest.fixture
def provider_round(org, people):
    """An open round with a dialogue per provider and three times two weeks ahead."""
    other_contact = UserFactory(username="fristaende2")
    RoleFactory(user=other_contact, role=Role.PROVIDER_CONTACT, provider=org.other_provider)
    round_ = RoundFactory(administration=org.administration, kind="provider", title="Kvalitetssamtal VT")
    mine, theirs = counterparts_add(round_=round_, providers=[org.provider, org.other_provider])
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + datetime.timedelta(days=14)
    slots = [
        SlotFactory(round=round_, starts_at=start + datetime.timedelta(hours=i), ends_at=start + datetime.timedelta(hours=i, minutes=50), hosts=[people.leadership])
        for i in range(3)
    ]
    return SimpleNamespace(round=round_, mine=mine, theirs=theirs, slots=slots, other_contact=other_contact)
