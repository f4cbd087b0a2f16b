"""The demo municipality's wheels for the current school year, modelled on Ystad's SKA-hjul and
rektorshjul (seed 001 §3.2) and Svenljunga's committee wheel (seed 003). Idempotent."""

from __future__ import annotations

import datetime

from ska.models import Role, SchoolForm, Unit, User
from ska.schoolyear import SchoolYear

from .models import ClosedDayRule, EventKind, Repeat, SchoolBreak, Wheel
from .services.closed_days import public_holidays
from .services.events import event_create

K = EventKind


def _week(year: int, week: int, weekday: int = 1) -> datetime.date:
    """Weekday (1 = Monday) of an ISO week."""
    return datetime.date.fromisocalendar(year, week, weekday)


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def seed_school_breaks(municipality, year: SchoolYear) -> None:
    if SchoolBreak.objects.filter(municipality=municipality, school_year=year).exists():
        return
    y = year.start_year
    easter_monday = next(d for d, n in public_holidays(datetime.date(y + 1, 3, 1), datetime.date(y + 1, 5, 1)).items() if n == "Annandag påsk")
    breaks = [
        ("Höstlov", _week(y, 44, 1), _week(y, 44, 5)),
        ("Jullov", datetime.date(y, 12, 22), datetime.date(y + 1, 1, 8)),
        ("Sportlov", _week(y + 1, 8, 1), _week(y + 1, 8, 5)),
        ("Påsklov", easter_monday, easter_monday + datetime.timedelta(days=4)),
    ]
    for name, start, end in breaks:
        SchoolBreak.objects.create(municipality=municipality, school_year=year, name=name, start=start, end=end)


def _add(wheel, user, kind, title, start, *, description="", responsible=(), **values):
    event_create(
        wheel=wheel,
        values={"kind": kind, "title": title, "start_date": start, "description": description, **values},
        relations={"responsible": list(responsible)},
        user=user,
    )


def seed_demo_wheels(administration, committee) -> None:
    year = SchoolYear.current()
    municipality = administration.municipality
    seed_school_breaks(municipality, year)
    if Wheel.all_objects.filter(administration=administration, school_year=year).exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["skolchef", "utvecklingschef", "rektor", "sekreterare", "verksamhetschef"])}
    chef, dev, rector, secretary = (people.get(n) for n in ("skolchef", "utvecklingschef", "rektor", "sekreterare"))
    y, n = year.start_year, year.start_year + 1
    rectors = [Role.RECTOR]
    leaders = [Role.RECTOR, Role.CONTRIBUTOR]

    ska = Wheel.objects.create(
        name="SKA-hjulet", school_year=year, administration=administration,
        description="Förvaltningens hjul för det systematiska kvalitetsarbetet: mål- och strategidagar, "
        "analysdag, uppföljning av indikatorer, kvalitetsdialoger och enkäter. Revideras inför varje läsår.",
    )
    first_tuesday = _week(y, 34, 2)
    _add(ska, chef, K.LEADER_FORUM, "Ledarforum för skolledare", first_tuesday, responsible=[chef],
         description="Veckovis forum för information, dialog och beslut mellan huvudman och verksamhet. "
         "Prioriterat möte för rektor.", start_time=_time("08:30"), end_time=_time("11:30"),
         place="Stadshuset, sal Ekvallen", repeat=Repeat.WEEKLY, interval=1, repeat_until=_week(n, 24, 2),
         on_closed_day=ClosedDayRule.SKIP, concerns_roles=rectors)
    strategy_dates = [_week(y, 41, 4), _week(y, 47, 4), _week(n, 4, 4), _week(n, 12, 4), _week(n, 19, 4)]
    _add(ska, dev, K.STRATEGY_DAY, "Mål- och strategidag", _week(y, 34, 4), responsible=[dev],
         description="Professionsutveckling för skolledarna med fokus på kvalitetsarbete.",
         start_time=_time("08:30"), end_time=_time("16:00"), place="Ekvalla folkets hus",
         repeat=Repeat.DATES, dates=[d.isoformat() for d in strategy_dates], on_closed_day=ClosedDayRule.NEXT,
         concerns_roles=leaders)
    _add(ska, dev, K.ANALYSIS_DAY, "Analysdag", _week(n, 24, 3), responsible=[chef, dev],
         description="Utmaningar och styrkor i verksamheten kopplat till huvudmannens mål och prioriteringar.",
         start_time=_time("09:00"), end_time=_time("15:00"), place="Ekvalla folkets hus", concerns_roles=leaders)
    check_ins, everything = ["check_ins"], ["check_ins", "activity_follow_ups", "analyses"]
    for title, day, parts, description in [
        ("Uppföljning av förvaltningsgemensamma indikatorer", _week(y, 43, 5), check_ins,
         "Sista dag att föra in avstämningar av indikatorerna i styrkedjan. Värden som hämtas från Kolada kommer av sig själva."),
        ("Terminsuppföljning HT: indikatorer, aktiviteter och analys", _week(n, 3, 5), everything,
         "Sista dag för höstterminens avstämningar, uppföljningar av aktiviteterna och uppföljning och analys av målen."),
        ("Uppföljning av förvaltningsgemensamma indikatorer", _week(n, 14, 5), check_ins,
         "Sista dag att föra in avstämningar av indikatorerna i styrkedjan."),
        ("Uppföljning och analys VT", _week(n, 23, 5), everything,
         "Sista dag för vårterminens avstämningar, uppföljningar och analyser inför analysdagen."),
    ]:
        _add(ska, dev, K.FOLLOW_UP_DEADLINE, title, day, responsible=[dev], description=description,
             follow_up_parts=parts, concerns_roles=rectors)
    _add(ska, chef, K.REPORT_DEADLINE, "Enheternas kvalitetsrapporter lämnas", _week(y, 39, 5), responsible=[chef],
         description="Kvalitetsrapporten för föregående läsår lämnas till förvaltningsledningen.", concerns_roles=rectors)
    _add(ska, chef, K.DIALOGUE_ROUND, "Förvaltningens kvalitetsdialoger med enheterna", _week(y, 45, 1),
         end_date=_week(y, 48, 5), responsible=[chef, dev], concerns_roles=rectors,
         description="Skolchef och utvecklingschef besöker varje enhet. Enheten gör först en självskattning mot kvalitetsmatrisen.")
    _add(ska, chef, K.DIALOGUE_ROUND, "Kvalitetssamtal med fristående huvudmän HT", _week(y, 40, 1),
         end_date=_week(y, 42, 5), responsible=[chef])
    _add(ska, chef, K.DIALOGUE_ROUND, "Kvalitetssamtal med fristående huvudmän VT", _week(n, 10, 1),
         end_date=_week(n, 12, 5), responsible=[chef])
    for title, start in [("Klimatenkät september", _week(y, 38, 1)), ("Klimatenkät november", _week(y, 46, 1)), ("Klimatenkät mars", _week(n, 11, 1))]:
        _add(ska, dev, K.SURVEY, title, start, end_date=start + datetime.timedelta(days=4), responsible=[dev],
             description="Elever och vårdnadshavare besvarar enkäten om trygghet och studiero.", concerns_roles=rectors)
    # Grundskola's subject assessments are followed up outside the goal chain: not a chain deadline.
    grundskola = list(SchoolForm.objects.filter(code="grundskola"))
    for title, day in [("Uppföljning av ämnesbedömningar", _week(y, 42, 5)), ("Uppföljning av ämnesbedömningar", _week(n, 13, 5))]:
        event_create(
            wheel=ska, user=dev,
            values={"kind": K.OTHER, "title": title, "start_date": day, "concerns_roles": rectors,
                    "description": "Grundskolan: bedömningar i alla ämnen förs in för uppföljning på huvudmannanivå."},
            relations={"responsible": [dev], "concerns_school_forms": grundskola},
        )

    rektorshjul = Wheel.objects.create(
        name="Rektorshjulet", school_year=year, administration=administration,
        description="Vilka återkommande drifts- och utvecklingsfrågor som tas upp vid vilka ledarforum.",
    )
    _add(rektorshjul, chef, K.LEADER_FORUM, "Ledarforum: kollegialt lärande för skolledare", _week(y, 36, 2),
         repeat=Repeat.MONTHLY, nth=1, repeat_until=_week(n, 23, 2), on_closed_day=ClosedDayRule.NEXT,
         start_time=_time("08:30"), end_time=_time("11:30"), responsible=[dev], concerns_roles=rectors)
    for title, day, kind in [
        ("Ledarforum: budget och resursfördelning", _week(y, 37, 2), K.LEADER_FORUM),
        ("Ledarforum: indikatorer i styrkedjan – analys", _week(y, 45, 2), K.LEADER_FORUM),
        ("Ledarforum: elevhälsans resultat och insatser", _week(n, 6, 2), K.LEADER_FORUM),
        ("Ledarforum: skolval och placeringar", _week(n, 9, 2), K.LEADER_FORUM),
        ("Ledarforum: planering inför nästa läsår", _week(n, 20, 2), K.LEADER_FORUM),
        ("Delårsrapport: underlag från enheterna", _week(y, 37, 5), K.FINANCIAL),
        ("Årsbokslut: underlag från enheterna", _week(n, 5, 5), K.FINANCIAL),
    ]:
        _add(rektorshjul, chef, kind, title, day, responsible=[chef], concerns_roles=rectors,
             start_time=_time("08:30") if kind == K.LEADER_FORUM else None,
             end_time=_time("11:30") if kind == K.LEADER_FORUM else None)

    committee_wheel = Wheel.objects.create(
        name="Nämndens årshjul", school_year=year, committee=committee,
        description="Barn- och utbildningsnämndens årshjul för kvalitetsuppföljning: nyckeltal, rapporter och dialoger.",
    )
    _add(committee_wheel, secretary, K.COMMITTEE_MEETING, "Nämndsmöte BUN", _week(y, 35, 3),
         repeat=Repeat.MONTHLY, nth=4, repeat_until=_week(n, 25, 3), on_closed_day=ClosedDayRule.PREVIOUS,
         start_time=_time("13:00"), end_time=_time("17:00"), place="Stadshuset, sessionssalen", responsible=[secretary])
    for title, day, kind, description in [
        ("Delårsrapport per augusti", _week(y, 40, 3), K.FINANCIAL, "Nämndens prioriterade områden följs upp i delårsrapporten."),
        ("Presentation av föregående års kvalitetsarbete", _week(y, 43, 3), K.COMMITTEE_MEETING, "Förvaltningen presenterar huvudmannens kvalitetsrapport; nämnden väljer 3–5 ämnen för kvalitetsdialog."),
        ("Kvalitetsdialog hösten: resultat och nulägesanalys", _week(y, 47, 3), K.DIALOGUE_ROUND, "Nämnden och förvaltningens ledningsgrupp tar fram förslag till prioriterade områden."),
        ("Årsbokslut", _week(n, 8, 3), K.FINANCIAL, ""),
        ("Kvalitetsdialog våren: uppföljning av utvalda områden", _week(n, 16, 3), K.DIALOGUE_ROUND, "Uppföljning med konkreta exempel från verksamheten."),
        ("Delårsbokslut per april", _week(n, 21, 3), K.FINANCIAL, ""),
        ("Plan för systematiskt kvalitetsarbete antas", _week(n, 25, 3), K.REPORT_DEADLINE, "Verksamhetsplanen för nästa läsår beslutas."),
    ]:
        _add(committee_wheel, secretary, kind, title, day, description=description, responsible=[r for r in (secretary, chef) if r])

    unit = Unit.objects.filter(administration=administration, name="Österportskolan").first()
    if unit is not None:
        own = Wheel.objects.create(
            name="Österportskolans årshjul", school_year=year, unit=unit,
            description="Enhetens årshjul för drift och systematiskt kvalitetsarbete, i linje med förvaltningens hjul.",
        )
        _add(own, rector, K.OTHER, "Kollegialt lärande i arbetslagen", _week(y, 35, 4), repeat=Repeat.WEEKLY, interval=2,
             repeat_until=_week(n, 23, 4), start_time=_time("15:00"), end_time=_time("16:30"), place="Biblioteket",
             responsible=[rector])
        _add(own, rector, K.OTHER, "Arbetsplatsträff", _week(y, 36, 1), repeat=Repeat.MONTHLY, nth=1,
             repeat_until=_week(n, 23, 1), on_closed_day=ClosedDayRule.NEXT, start_time=_time("15:00"),
             end_time=_time("16:30"), responsible=[rector])
        _add(own, rector, K.ANALYSIS_DAY, "Analys av klimatenkäten med personal och elevråd", _week(y, 48, 3),
             start_time=_time("13:00"), end_time=_time("16:00"), responsible=[rector])
        _add(own, rector, K.FOLLOW_UP_DEADLINE, "Enhetens uppföljning av lokala mål", _week(n, 21, 5), responsible=[rector],
             follow_up_parts=["check_ins", "activity_follow_ups"])
