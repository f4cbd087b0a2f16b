"""The Django admin, for system administrators only, behind the app's own login page."""

from functools import wraps

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


class SkaAdminSite(admin.AdminSite):
    site_header = _("SKA administration")
    site_title = _("SKA administration")
    index_title = _("Organisation, people and settings")

    def has_permission(self, request):
        return request.user.is_active and request.user.has_perm("ska.use_admin")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # A logged-in person without the role is refused outright, not sent to log in again.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return wrapper

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """One login page for everyone: the admin's own would bypass its texts and throttling."""
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = ""
        next_url = next_url or reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if self.has_permission(request):
            return redirect(next_url)
        raise PermissionDenied
