"""Settings for the load benchmark (`make bench`): the app's own settings, read from the
environment as in production, with the benchmark's URLconf, which adds a bare page to compare
every other page with. Nothing else differs from what a deployment runs."""

from ska.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The load generator speaks plain HTTP on loopback, with no TLS proxy in front: its cookies
# would not be sent back if they were marked secure.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
