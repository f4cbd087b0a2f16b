"""What the page shell needs on every page: the navigation this person may use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .access import scope_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("start", _("Start"), reverse("start"))]
    if user.has_perm("ska.view_matrix"):
        items.append(("chain", _("Goal chain"), reverse("chain_matrix")))
    if user.has_perm("ska.use_wheels"):
        items.append(("wheel", _("Annual wheel"), reverse("annualwheel:overview")))
    if user.has_perm("ska.use_dialogues"):
        items.append(("dialogs", _("Quality dialogues"), reverse("dialogs:round_list")))
    if user.has_perm("ska.use_reports"):
        items.append(("reports", _("Quality reports"), reverse("reports:index")))
    if user.has_perm("ska.list_units"):
        items.append(("units", _("Units"), reverse("unit_list")))
    if user.has_perm("ska.list_providers"):
        items.append(("providers", _("Independent providers"), reverse("provider_list")))
    else:
        # A provider's contact person gets their own organisation in the menu.
        for provider_id in sorted(scope_of(user).providers)[:1]:
            items.append(("providers", _("Our organisation"), reverse("provider_detail", args=[provider_id])))
    if user.has_perm("ska.use_admin"):
        items.append(("admin", _("System administration"), reverse("admin:index")))
    match = request.resolver_match
    current = "" if match is None else (match.namespace if match.namespace in ("annualwheel", "dialogs", "reports") else match.url_name)
    sections = {"chain_matrix": "chain", "curriculum_coverage": "chain", "start": "start", "unit_analyses": "units", "unit_curriculum": "units", "unit_list": "units", "unit_detail": "units", "provider_list": "providers", "provider_detail": "providers", "annualwheel": "wheel", "dialogs": "dialogs", "reports": "reports"}
    return {
        "nav_items": [
            {"key": key, "label": label, "url": url, "current": sections.get(current) == key} for key, label, url in items
        ]
    }
