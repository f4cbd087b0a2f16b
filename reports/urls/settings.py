"""URLs: settings."""

urlpatterns: list = []
