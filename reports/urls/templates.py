"""URLs: templates."""

urlpatterns: list = []
