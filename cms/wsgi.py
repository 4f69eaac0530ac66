import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

application = get_wsgi_application()

# What start-up loaded (modules, settings, URL patterns, models) lives as long
# as the process: frozen, the garbage collector's full collections no longer
# walk it on every request that triggers one (docs/benchmarks.md, step 11).
gc.freeze()
