"""One way to tell a person that somebody else saved first (``ska.services.records.EditConflict``),
for every edit form of the product: what the other person changed, and a form that keeps the
person's own values and now knows the newer version, so saving again keeps theirs on purpose."""

from django.utils.translation import gettext as _

from ..display import display_datetime, display_value
from ..services.records import EditConflict


def conflict_message(conflict: EditConflict) -> str:
    who = str(conflict.changed_by) if conflict.changed_by else _("someone else")
    when = display_datetime(conflict.changed_at) if conflict.changed_at else ""
    changes = "; ".join(
        _("%(field)s is now “%(theirs)s” (you wrote “%(yours)s”)")
        % {"field": label, "theirs": display_value(theirs), "yours": display_value(yours)}
        for label, yours, theirs in conflict.changes
    )
    message = _("%(who)s saved this %(when)s, while you were editing. Your changes have not been saved.") % {
        "who": who,
        "when": when,
    }
    if changes:
        message += " " + _("Their change: %(changes)s.") % {"changes": changes}
    return message + " " + _("Check the values and save again to keep yours.")


def mark_conflict(form, conflict: EditConflict) -> None:
    """Put the conflict on the (bound, validated) form, and let it know the current version:
    saving again keeps the person's values, on purpose."""
    form.add_error(None, conflict_message(conflict))
    data = form.data.copy()
    data["version"] = conflict.current.version
    form.data = data
