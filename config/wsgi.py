import importlib
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Imported on first use otherwise: the first Biểu 1 of a worker then cost ten times the next.
WARM_MODULES = [
    "ntm.reports.render.docx",
    "ntm.reports.render.pdf",
    "ntm.reports.render.xlsx",
    "ntm.reports.charts",
    "ntm.reports.bieu1",
    "ntm.reports.progress",
    "ntm.reports.rollup",
    "openpyxl",
    "docx",
    "weasyprint",
    "matplotlib.pyplot",
]


def warm_up() -> None:
    """Load the URL conf, the templates' tag libraries and the report libraries now, without
    touching the database (a preloading master must not hand open connections to workers)."""
    from django.db import connections
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    for name in WARM_MODULES:
        importlib.import_module(name)
    for engine in engines.all():
        engine.engine.template_libraries  # type: ignore[attr-defined]  # noqa: B018
    connections.close_all()


if os.environ.get("NTM_WARM_UP", "1") == "1":
    warm_up()
