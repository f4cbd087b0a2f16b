"""URLs: documents."""

urlpatterns: list = []
