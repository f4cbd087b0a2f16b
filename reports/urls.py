"""URLs of the reports app, mounted in ska/urls.py."""

app_name = "reports"
urlpatterns: list = []
