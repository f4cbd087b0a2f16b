import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ska.settings")

application = get_wsgi_application()

# What was built while starting (modules, settings, URL patterns) lives as long as the process.
# Frozen, it is left out of the garbage collector's full passes, which otherwise walk some
# 150,000 objects every few dozen requests.
gc.freeze()
