"""The municipality's templates for each kind of dialogue."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ska.access import led_municipalities, require_perm

from ..forms import TemplateForm
from ..models import DialogueKind
from ..services import templates as template_services


@require_http_methods(["GET", "POST"])
@require_perm("ska.manage_dialogue_settings")
def dialogue_templates(request):
    municipality = led_municipalities(request.user).first()
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
