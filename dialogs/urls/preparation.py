"""URLs: preparation (the question guide and material, the self-assessment, the quality
matrices)."""

from django.urls import path

from ..views import matrices, preparation

urlpatterns = [
    path("dialog/<int:pk>/forberedelse/", preparation.dialogue_prepare, name="dialogue_prepare"),
    path(
        "dialog/<int:pk>/sjalvskattning/<slug:school_form>/", preparation.self_assessment, name="self_assessment"
    ),
    path(
        "dialog/<int:pk>/sjalvskattning/omraden/<int:area_pk>/till-handling/",
        preparation.area_to_action,
        name="area_to_action",
    ),
    path("installningar/matriser/", matrices.matrix_list, name="matrices"),
    path("installningar/matriser/ny/", matrices.matrix_create, name="matrix_create"),
    path(
        "installningar/matriser/standard/<slug:school_form>/",
        matrices.matrix_create_default,
        name="matrix_create_default",
    ),
    path("installningar/matriser/<int:pk>/", matrices.matrix_edit, name="matrix_edit"),
]
