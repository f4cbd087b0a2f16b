"""URLs: exports."""

urlpatterns: list = []
