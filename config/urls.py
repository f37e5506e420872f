from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ntm.accounts.views import home
from ntm.api.api import api
from ntm.core.views import refused

admin.site.site_header = _("NTM administration")
admin.site.site_title = _("NTM administration")
admin.site.index_title = _("Data management")

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("ntm.accounts.urls")),
    path("accounts/tokens/", include("ntm.api.urls")),
    path("api/", api.urls),
    path("units/", include("ntm.geo.urls")),
    path("units/", include("ntm.accounts.unit_urls")),
    path("units/", include("ntm.evaluation.urls")),
    path("", include("ntm.observations.urls")),
    path("criteria/", include("ntm.catalog.urls")),
    path("", include("ntm.planning.urls")),
    path("", include("ntm.organisation.urls")),
    path("", include("ntm.finance.urls")),
    path("", include("ntm.portal.urls")),
    path("", include("ntm.recognition.urls")),
    path("", include("ntm.decisions.urls")),
    path("", include("ntm.reports.urls")),
    path("", include("ntm.audit.urls")),
    path("imports/refused/<str:token>.csv", refused, name="refused"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
