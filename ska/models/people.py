"""People and their roles.

A person's access follows from their role assignments, each scoped to the part of the
organisation it concerns: a rektor to a unit, förvaltningsledning to an administration,
a provider's contact to their provider. The rules that turn these into permissions live
in one place, ``ska.access``.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .organisation import Administration, Committee, IndependentProvider, SchoolForm, Unit


class User(AbstractUser):
    email = models.EmailField(_("email address"), blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True, help_text=_("Shown beside the name."))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # E-mail is a login name too, so it must point at one person only.
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="user_unique_email"),
        ]

    def __str__(self):
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    RECTOR = "rector", _("Principal")
    CONTRIBUTOR = "contributor", _("Unit contributor")
    LEADERSHIP = "leadership", _("Administration leadership")
    SECRETARY = "secretary", _("Committee secretary")
    MEMBER = "member", _("Committee member")
    PROVIDER_CONTACT = "provider_contact", _("Independent provider contact")
    SYSADMIN = "sysadmin", _("System administrator")


# Which part of the organisation each role is scoped to (the one foreign key that must be set).
ROLE_SCOPE = {
    Role.RECTOR: "unit",
    Role.CONTRIBUTOR: "unit",
    Role.LEADERSHIP: "administration",
    Role.SECRETARY: "committee",
    Role.MEMBER: "committee",
    Role.PROVIDER_CONTACT: "provider",
    Role.SYSADMIN: None,
}
SCOPE_FIELDS = ("unit", "administration", "committee", "provider")


def _scope_condition(role, scope):
    condition = Q(role=role)
    for field in SCOPE_FIELDS:
        condition &= Q(**{f"{field}__isnull": field != scope})
    return condition


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, models.CASCADE, related_name="role_assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(
        _("title"),
        max_length=100,
        blank=True,
        help_text=_("For example biträdande rektor, förstelärare, processledare, skolchef or utvecklingschef."),
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="role_assignments", verbose_name=_("unit")
    )
    administration = models.ForeignKey(
        Administration,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("administration"),
    )
    committee = models.ForeignKey(
        Committee, models.PROTECT, null=True, blank=True, related_name="role_assignments", verbose_name=_("committee")
    )
    provider = models.ForeignKey(
        IndependentProvider,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("independent provider"),
    )
    # Förvaltningsledning for some school forms only, e.g. a verksamhetschef förskola: none
    # chosen means every school form of the administration.
    school_forms = models.ManyToManyField(
        SchoolForm,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("limited to school forms"),
        help_text=_("For administration leadership: leads only the units of these school forms. None chosen: every unit."),
    )
    history = HistoricalRecords(m2m_fields=[school_forms])

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=_scope_condition(Role.RECTOR, "unit")
                | _scope_condition(Role.CONTRIBUTOR, "unit")
                | _scope_condition(Role.LEADERSHIP, "administration")
                | _scope_condition(Role.SECRETARY, "committee")
                | _scope_condition(Role.MEMBER, "committee")
                | _scope_condition(Role.PROVIDER_CONTACT, "provider")
                | _scope_condition(Role.SYSADMIN, None),
                name="role_assignment_scope_matches_role",
                violation_error_message=_(
                    "Choose exactly what the role concerns: a unit for principals and unit contributors, "
                    "an administration for leadership, a committee for secretaries and members, "
                    "a provider for provider contacts, and nothing for system administrators."
                ),
            ),
            *[
                models.UniqueConstraint(
                    fields=["user", "role", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"role_assignment_unique_{field}",
                )
                for field in SCOPE_FIELDS
            ],
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(role="sysadmin"), name="role_assignment_unique_sysadmin"
            ),
        ]

    def __str__(self):
        scope = self.scope
        label = self.get_role_display()
        return f"{self.user}: {label}" + (f" – {scope}" if scope else "")

    @property
    def scope(self):
        field = ROLE_SCOPE.get(Role(self.role)) if self.role in Role.values else None
        return getattr(self, field) if field else None
