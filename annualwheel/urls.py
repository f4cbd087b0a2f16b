"""URLs of the annualwheel app, mounted in ska/urls.py."""

app_name = "annualwheel"
urlpatterns: list = []
