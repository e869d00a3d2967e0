import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogp_portal.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their modules: some 175,000 objects) lives as long as the
# worker: kept out of the garbage collector's full passes, which otherwise walked them all every few dozen
# requests (a 100 ms pause on a "My work" page measured in-process at scale 10; issue #20). Nothing else
# changes: objects made later are collected as before.
gc.freeze()
