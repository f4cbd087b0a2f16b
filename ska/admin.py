"""Admin for the organisation and people. Only system administrators reach it (``ska.access``).

Units, providers and people are never deleted here: they are closed or deactivated, so
the record keeps who was responsible for what. Every change is kept in their history.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import Q
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import audit
from .models import (
    AccessibilityReport,
    Activity,
    Analysis,
    AuditEvent,
    CheckIn,
    CurriculumArea,
    Goal,
    Indicator,
    KoladaSource,
    Administration,
    Committee,
    IndependentProvider,
    Municipality,
    Role,
    RoleAssignment,
    SchoolForm,
    Unit,
    User,
)

admin.site.unregister(Group)


class SysadminPermissions:
    """Every admin page answers to the system administrator role, and nothing is deleted."""

    allow_delete = False

    def _sysadmin(self, request):
        return request.user.is_active and request.user.has_perm("ska.use_admin")

    def has_module_permission(self, request):
        return self._sysadmin(request)

    def has_view_permission(self, request, obj=None):
        return self._sysadmin(request)

    def has_add_permission(self, request, *args):
        return self._sysadmin(request)

    def has_change_permission(self, request, obj=None):
        return self._sysadmin(request)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and self._sysadmin(request)


class ReadOnlyAdmin(SysadminPermissions):
    """Shown to system administrators and changed only in the app, or never (the audit log)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RoleAssignmentInline(SysadminPermissions, admin.TabularInline):
    """A person's roles, on the person's page."""

    model = RoleAssignment
    extra = 0
    allow_delete = True  # ending a role; the history keeps it
    autocomplete_fields = ["unit", "provider"]
    fields = ["role", "title", "unit", "administration", "committee", "provider", "school_forms"]


class PeopleInline(SysadminPermissions, admin.TabularInline):
    """The people with a role at a unit or provider, on its page: only the roles scoped to it."""

    model = RoleAssignment
    extra = 0
    allow_delete = True
    autocomplete_fields = ["user"]
    fields = ["user", "role", "title"]
    verbose_name = _("person")
    verbose_name_plural = _("people")
    roles: list[Role] = []

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            kwargs["choices"] = [(role.value, role.label) for role in self.roles]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class UnitPeopleInline(PeopleInline):
    roles = [Role.RECTOR, Role.CONTRIBUTOR]


class ProviderPeopleInline(PeopleInline):
    roles = [Role.PROVIDER_CONTACT]


@admin.register(Municipality)
class MunicipalityAdmin(SysadminPermissions, SimpleHistoryAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Committee)
class CommitteeAdmin(SysadminPermissions, SimpleHistoryAdmin):
    list_display = ["name", "short_name", "municipality"]
    search_fields = ["name", "short_name"]


@admin.register(Administration)
class AdministrationAdmin(SysadminPermissions, SimpleHistoryAdmin):
    list_display = ["name", "committee", "municipality"]
    search_fields = ["name"]


@admin.register(SchoolForm)
class SchoolFormAdmin(SysadminPermissions, SimpleHistoryAdmin):
    list_display = ["name", "code", "sort_order"]
    list_editable = ["sort_order"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(IndependentProvider)
class IndependentProviderAdmin(SysadminPermissions, SimpleHistoryAdmin):
    list_display = ["name", "organisation_number", "municipality", "closed_on"]
    list_filter = ["municipality"]
    search_fields = ["name", "organisation_number"]
    inlines = [ProviderPeopleInline]


@admin.register(Unit)
class UnitAdmin(SysadminPermissions, SimpleHistoryAdmin):
    list_display = ["name", "unit_code", "administration", "provider", "closed_on"]
    list_filter = ["school_forms", "administration", "provider"]
    list_select_related = ["administration", "provider"]
    search_fields = ["name", "unit_code", "kolada_ou_id"]
    filter_horizontal = ["school_forms"]
    autocomplete_fields = ["provider"]
    inlines = [UnitPeopleInline]
    list_per_page = 50


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's form for setting another person's password: the audit log says that it was
    set (or password login turned off), and by whom, never to what."""

    def save(self, commit=True):
        user = super().save(commit)
        if commit:
            audit.on_password_set_in_admin(user)
        return user


@admin.register(User)
class UserAdmin(SysadminPermissions, SimpleHistoryAdmin, DjangoUserAdmin):
    change_password_form = AuditedPasswordChangeForm
    list_display = ["username", "first_name", "last_name", "email", "title", "is_active"]
    list_filter = ["is_active", "role_assignments__role"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "title", "email", "phone")}),
        (_("Permissions"), {"fields": ("is_active", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    inlines = [RoleAssignmentInline]


@admin.register(AccessibilityReport)
class AccessibilityReportAdmin(SysadminPermissions, SimpleHistoryAdmin):
    list_display = ["created_at", "page", "name", "email", "handled"]
    list_filter = ["handled"]
    readonly_fields = ["created_at", "page", "description", "name", "email", "user"]


# --- The goal chain -----------------------------------------------------------------
# Kept by rektorer and förvaltningsledning in the app, where every save is checked against
# conflicting edits. The admin shows the records and their history, and changes nothing.
class ChainRecordAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    def get_queryset(self, request):
        return self.model.all_objects.all()


@admin.register(CurriculumArea)
class CurriculumAreaAdmin(SysadminPermissions, SimpleHistoryAdmin):
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind", "school_forms"]
    filter_horizontal = ["school_forms"]


@admin.register(Goal)
class GoalAdmin(ChainRecordAdmin):
    list_display = ["title", "level", "school_year", "unit", "administration", "status", "deleted_at"]
    list_filter = ["level", "status", "school_year", "administration"]
    list_select_related = ["unit", "administration"]
    search_fields = ["title", "unit__name"]


@admin.register(Indicator)
class IndicatorAdmin(ChainRecordAdmin):
    list_display = ["title", "goal", "baseline_value", "target_value", "deleted_at"]
    list_select_related = ["goal"]
    search_fields = ["title", "goal__title"]


@admin.register(CheckIn)
class CheckInAdmin(ChainRecordAdmin):
    list_display = ["indicator", "date", "value", "group_size", "origin", "deleted_at"]
    list_select_related = ["indicator"]
    list_filter = ["origin"]


@admin.register(Activity)
class ActivityAdmin(ChainRecordAdmin):
    list_display = ["title", "goal", "status", "start", "end", "deleted_at"]
    list_select_related = ["goal"]
    list_filter = ["status"]
    search_fields = ["title"]


@admin.register(Analysis)
class AnalysisAdmin(ChainRecordAdmin):
    list_display = ["goal", "term", "attainment", "deleted_at"]
    list_select_related = ["goal"]


# --- The audit log ---------------------------------------------------------------------
# Written by ska.audit from signals; read here by system administrators, changed by nobody.
class AuditPersonFilter(admin.SimpleListFilter):
    """Events by or about one person: reached from the names in the list (a municipality has
    too many people to list them all as choices)."""

    title = _("person")
    parameter_name = "person"

    def lookups(self, request, model_admin):
        value = self.value()
        person = User.objects.filter(pk=value).first() if value and value.isdigit() else None
        return [(str(person.pk), str(person))] if person else []

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(Q(actor_id=value) | Q(subject_id=value))
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["occurred_at", "kind", "actor_link", "subject_link", "ip_address", "description"]
    list_filter = ["kind", ("occurred_at", admin.DateFieldListFilter), AuditPersonFilter]
    search_fields = ["actor_name", "subject_name", "description", "ip_address"]
    date_hierarchy = "occurred_at"
    list_per_page = 100
    show_full_result_count = False

    def _person(self, pk, name):
        if pk is None:
            return name or "–"
        url = reverse("admin:ska_auditevent_changelist") + f"?person={pk}"
        return format_html('<a href="{}">{}</a>', url, name or pk)

    @admin.display(description=_("who acted"), ordering="actor_name")
    def actor_link(self, event):
        return self._person(event.actor_id, event.actor_name)

    @admin.display(description=_("whom it concerned"), ordering="subject_name")
    def subject_link(self, event):
        return self._person(event.subject_id, event.subject_name)


@admin.register(KoladaSource)
class KoladaSourceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Which indicators are fed from Kolada, and how their latest fetch went: for operators.
    Read-only here; the indicator's form is where a source is chosen, and its page fetches."""

    list_display = ["indicator", "kpi_id", "entity", "fetched_at", "last_attempt_at", "last_error"]
    list_filter = ["kpi_id", "level"]
    search_fields = ["indicator__title", "kpi_id", "kpi_title", "ou_title"]
    list_select_related = ["indicator"]
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("values for"))
    def entity(self, source):
        return source.entity_title
