"""What Kolada's REST API (v3) answers, as typed values.

Kolada (kolada.se, run by RKA for the municipalities and regions) publishes key figures
(*nyckeltal*, "KPI" in the API) per municipality, per municipality group, for the country
(*riket*, id ``0000``) and for organisational units such as school units (*OU*). Each figure
has one value per year (``period``), and per gender where the figure is divided by it:
``T`` (total), ``K`` (women/girls) and ``M`` (men/boys).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

COUNTRY = "0000"  # Kolada's id for the whole country (riket)
TOTAL, FEMALE, MALE = "T", "K", "M"


class KoladaUnavailable(Exception):
    """Kolada could not be reached or gave no usable answer (after retries)."""


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    description: str = ""
    is_divided_by_gender: bool = False
    has_ou_data: bool = False
    municipality_type: str = ""
    operating_area: str = ""


@dataclass(frozen=True)
class Municipality:
    id: str
    title: str
    type: str = "K"


@dataclass(frozen=True)
class MunicipalityGroup:
    id: str
    title: str
    members: tuple[Municipality, ...] = ()


@dataclass(frozen=True)
class OrganisationalUnit:
    id: str
    title: str
    municipality: str = ""


class ValueState:
    PUBLISHED = "published"
    MISSING = "missing"  # Kolada has no value for the year
    SUPPRESSED = "suppressed"  # withheld by the producer (small groups, confidentiality)


@dataclass(frozen=True)
class Value:
    """One published value: a key figure for one municipality (or group, or the country) or one
    organisational unit, one year and one gender. ``value`` is None when Kolada publishes it
    as missing or suppressed (``status`` says which): never read it as zero."""

    kpi: str
    entity: str  # a municipality, group or country id, or an organisational unit's id
    period: int
    gender: str
    value: Decimal | None
    status: str = ""
    count: int | None = None

    @property
    def state(self) -> str:
        if self.value is not None:
            return ValueState.PUBLISHED
        status = self.status.lower()
        if any(word in status for word in ("suppress", "sekretess", "confidential", "..")):
            return ValueState.SUPPRESSED
        return ValueState.MISSING
