"""URLs: the year-end evaluation of the dialogues."""

from django.urls import path

from ..views import evaluation

urlpatterns = [
    path("utvardering/", evaluation.my_evaluations, name="my_evaluations"),
    path("utvardering/<int:pk>/", evaluation.evaluation_answer, name="evaluation_answer"),
    path("utvardering/resultat/", evaluation.evaluation_results, name="evaluation_results"),
    path("utvardering/skicka/", evaluation.evaluation_send, name="evaluation_send"),
    path("installningar/utvardering/", evaluation.evaluation_questions, name="evaluation_questions"),
]
