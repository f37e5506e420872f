"""Production web server: ``.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi``.

The application is loaded once in the master (``preload_app``) and warmed there (URL conf,
report renderers and their libraries, see ``config.wsgi.warm_up``), so every forked worker
answers its first request as fast as its hundredth. Settings come from the environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", "1"))
preload_app = True
# Reports of a whole province are built by the background worker; a page has 2 minutes at most.
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 30
accesslog = os.environ.get("ACCESS_LOG", "-") or None
