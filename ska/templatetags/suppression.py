"""Small-number suppression in pages: ".." with a reference to its footnote, and the footnote.

    {% load suppression %}
    {% suppressed_mark "indicator" indicator.pk %}       →  ..* (the * links to the note)
    {% suppression_footnote state.suppression_threshold "indicator" indicator.pk %}

The note's id is made of the parts given ("indicator-7-suppressed"), so that a page with
several blocks (each swapped on its own by htmx) has one note per block.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..suppression import SUPPRESSED, footnote

register = template.Library()


@register.simple_tag
def suppressed_mark(*id_parts):
    """What stands in place of a value that is not shown: ".." and a link to the footnote
    that says why (a screen reader hears the reason, not "dot dot")."""
    return format_html(
        '<span class="suppressed"><span aria-hidden="true">{}</span><a href="#{}" class="footnote-ref">'
        '<sup aria-hidden="true">*</sup><span class="visually-hidden">{}</span></a></span>',
        SUPPRESSED, note_id(id_parts), _("value not shown, see the note"),
    )


@register.simple_tag
def suppression_footnote(threshold: int, *id_parts):
    return format_html('<p class="muted footnote" id="{}"><sup>*</sup> {}</p>', note_id(id_parts), footnote(threshold))


def note_id(parts) -> str:
    return "-".join(str(part) for part in (*parts, "suppressed"))


@register.simple_tag
def latest_suppression_footnote(goal_states, *id_parts):
    """The note, once, if the latest value of any indicator of ``goal_states`` is suppressed
    (for pages that show only the latest values)."""
    hidden = next((i for s in goal_states for i in s.indicators if i.latest_suppressed), None)
    return suppression_footnote(hidden.suppression_threshold, *id_parts) if hidden else ""
