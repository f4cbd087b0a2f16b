"""The municipality's templates for each kind of dialogue."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ska.access import require_perm, scope_of
from ska.models import Municipality

from ..forms import TemplateForm
from ..models import DialogueKind
from ..services import templates as template_services


def municipality_of(user) -> Municipality | None:
    """The municipality whose dialogue settings the person keeps (the first they lead)."""
    scope = scope_of(user)
    municipalities = Municipality.objects.order_by("name")
    if not scope.is_sysadmin:
        municipalities = municipalities.filter(pk__in=scope.led_municipalities)
    return municipalities.first()


@require_http_methods(["GET", "POST"])
@require_perm("ska.manage_dialogue_settings")
def dialogue_templates(request):
    municipality = municipality_of(request.user)
    templates = template_services.templates_of(municipality) if municipality else []
    forms = []
    for template in templates:
        bound = request.method == "POST" and request.POST.get("kind") == template.kind
        initial = {name: getattr(template, name) for name in template_services.FIELDS}
        form = TemplateForm(request.POST if bound else None, initial=initial, prefix=template.kind)
        if bound and form.is_valid():
            template_services.template_save(
                municipality=municipality, kind=template.kind, values=form.cleaned_data, user=request.user
            )
            messages.success(request, _("The template for %(kind)s is saved.") % {"kind": template.get_kind_display()})
            return redirect(request.path + f"#mall-{template.kind}")
        forms.append((template, form))
    return render(
        request,
        "dialogs/templates.html",
        {"municipality": municipality, "forms": forms, "kinds": DialogueKind},
    )
