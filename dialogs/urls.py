"""URLs of the dialogs app, mounted in ska/urls.py."""

app_name = "dialogs"
urlpatterns: list = []
