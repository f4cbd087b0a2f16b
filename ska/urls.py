from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from .forms import LoginForm, QueuedPasswordResetForm
from .oidc import LogoutView
from .views import account, accounts, chain, chain_edit, excel, goal_lifecycle, health, kolada, organisation, pages, readback, rollover, start

# A lost database connection gives the friendly 503 page, anything else the 500 page.
handler500 = "ska.views.errors.server_error"

urlpatterns = [
    path("", start.start, name="start"),
    path("enheter/", organisation.unit_list, name="unit_list"),
    path("enheter/<int:pk>/", organisation.unit_detail, name="unit_detail"),
    path("fristaende/", organisation.provider_list, name="provider_list"),
    path("fristaende/<int:pk>/", organisation.provider_detail, name="provider_detail"),
    path("styrkedjan/", chain.matrix, name="chain_matrix"),
    path("styrkedjan/mal/", chain.goal_levels, name="goal_levels"),
    path("styrkedjan/installningar/", chain.chain_settings, name="chain_settings"),
    path("styrkedjan/mal/ny/<str:level>/", chain.level_goal_create, name="level_goal_create"),
    path("styrkedjan/mal/<int:pk>/", chain.goal_detail, name="goal_detail"),
    path("styrkedjan/mal/nasta-lasar/", rollover.levels_rollover, name="levels_rollover"),
    path("styrkedjan/enheter/<int:unit_pk>/nasta-lasar/", rollover.unit_rollover, name="unit_rollover"),
    path("styrkedjan/laroplan/", readback.curriculum_coverage, name="curriculum_coverage"),
    path("styrkedjan/enheter/<int:unit_pk>/analyser/", readback.unit_analyses, name="unit_analyses"),
    path("styrkedjan/enheter/<int:unit_pk>/laroplan/", readback.unit_curriculum, name="unit_curriculum"),
    path("styrkedjan/excel/", excel.administration_export, name="administration_export"),
    path("styrkedjan/enheter/<int:unit_pk>/excel/", excel.unit_export, name="unit_export"),
    path("styrkedjan/enheter/<int:unit_pk>/avstamningar/mall/", excel.check_in_template_download, name="check_in_template"),
    path("styrkedjan/enheter/<int:unit_pk>/avstamningar/import/", excel.check_in_import_view, name="check_in_import"),
    path("styrkedjan/forvaltningsmal/<int:pk>/", chain.administration_goal, name="administration_goal"),
    path("styrkedjan/forvaltningsmal/<int:pk>/likvardighet/", chain.equity, name="equity"),
    path("styrkedjan/enheter/<int:unit_pk>/mal/ny/", chain_edit.goal_create, name="goal_create"),
    path("styrkedjan/mal/<int:pk>/andra/", chain_edit.goal_edit, name="goal_edit"),
    path("styrkedjan/mal/<int:goal_pk>/indikatorer/ny/", chain_edit.indicator_create, name="indicator_create"),
    path("styrkedjan/indikatorer/<int:pk>/andra/", chain_edit.indicator_edit, name="indicator_edit"),
    path("styrkedjan/indikatorer/<int:pk>/kolada/", kolada.kolada_status, name="kolada_status"),
    path("styrkedjan/indikatorer/<int:pk>/kolada/hamta/", kolada.kolada_refresh, name="kolada_refresh"),
    path("styrkedjan/avstamningar/<int:pk>/andra/", chain_edit.check_in_edit, name="check_in_edit"),
    path("styrkedjan/mal/<int:goal_pk>/aktiviteter/ny/", chain_edit.activity_create, name="activity_create"),
    path("styrkedjan/aktiviteter/<int:pk>/andra/", chain_edit.activity_edit, name="activity_edit"),
    path("styrkedjan/aktiviteter/<int:activity_pk>/uppfoljningar/ny/", chain_edit.follow_up_create, name="follow_up_create"),
    path("styrkedjan/mal/<int:goal_pk>/analyser/ny/", chain_edit.analysis_create, name="analysis_create"),
    path("styrkedjan/analyser/<int:pk>/andra/", chain_edit.analysis_edit, name="analysis_edit"),
    path("styrkedjan/mal/<int:pk>/fortsatt/", chain_edit.goal_continue, name="goal_continue"),
    path("styrkedjan/mal/<int:pk>/aktivera/", goal_lifecycle.goal_activate, name="goal_activate"),
    path("styrkedjan/mal/<int:pk>/avsluta/", goal_lifecycle.goal_close, name="goal_close"),
    path("styrkedjan/mal/<int:pk>/ateroppna/", goal_lifecycle.goal_reopen, name="goal_reopen"),
    path(
        "styrkedjan/utvecklingsomraden/<int:pk>/till-mal/",
        chain_edit.development_area_to_goal,
        name="development_area_to_goal",
    ),
    path("styrkedjan/<str:kind>/<int:pk>/ta-bort/", chain_edit.record_delete_view, name="record_delete"),
    path("styrkedjan/<str:kind>/<int:pk>/aterstall/", chain_edit.record_restore_view, name="record_restore"),
    path("styrkedjan/<str:kind>/<int:pk>/historik/", chain_edit.record_history, name="record_history"),
    path("indikatorer/<int:indicator_pk>/avstamningar/", chain.check_in_create, name="check_in_create"),
    path("tillganglighet/", pages.accessibility, name="accessibility"),
    # Accounts
    path("konto/", account.my_account, name="my_account"),
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("konto/logga-ut/", LogoutView.as_view(), name="logout"),
    path("konto/losenord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("konto/losenord/klart/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "konto/aterstall/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("konto/aterstall/skickat/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "konto/aterstall/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("konto/aterstall/klart/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("sprak/", login_not_required(set_language), name="set_language"),
    path("healthz", health.healthz, name="healthz"),
    # Single sign-on (answers 404 unless configured)
    path("oidc/", include("ska.oidc_urls")),
    # Apps
    path("arshjul/", include("annualwheel.urls")),
    path("dialoger/", include("dialogs.urls")),
    path("rapporter/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
