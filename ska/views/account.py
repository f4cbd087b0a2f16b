"""The person's own account: who they are in SKA and what their roles give them."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from annualwheel.views.reminders import reminder_section

from ..models import RoleAssignment


@require_GET
def my_account(request):
    assignments = (
        RoleAssignment.objects.filter(user=request.user)
        .select_related("unit", "administration", "committee", "provider")
        .order_by("role", "unit__name", "provider__name")
    )
    context = {"assignments": assignments, **reminder_section(request.user)}
    return render(request, "ska/my_account.html", context)
