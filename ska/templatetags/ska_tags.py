from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def minutes(duration) -> int:
    """Whole minutes of a timedelta (for "wait 15 minutes")."""
    return int(duration.total_seconds() // 60) if duration else 0


@register.simple_tag
def indicator_chart(state):
    """The indicator's chart (see ska.charts) from an IndicatorState, with the reference lines
    of a Kolada-fed indicator."""
    from ..charts import indicator_chart as draw

    return draw(state.shown_indicator, state.check_ins, threshold=state.suppression_threshold, references=state.references)


@register.filter
def record_kind(record) -> str:
    """The URL word for a chain record's kind (mal, indikator, ...)."""
    from ..views.chain_edit import KIND_OF

    return KIND_OF.get(type(record), "")


@register.filter
def figure(value) -> str:
    """A published figure as Kolada gives it: no trailing zeros (213,6 and 218, not 213,60)."""
    from ..charts import _fmt, _trim

    return "" if value is None else _fmt(_trim(value), "")


@register.filter
def shown(value) -> str:
    """A stored value as the interface shows it (``ska.display``): times in the site's time zone."""
    from ..display import display_value

    return display_value(value)
