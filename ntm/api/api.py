"""The API: /api/v1/…, its OpenAPI document at /api/openapi.json and docs at /api/docs."""

from ninja import NinjaAPI

from ntm.api import errors
from ntm.api.auth import AUTH, RateLimit
from ntm.api.routers import catalog, decisions, dhis2, planning, public, results, units, values

api = NinjaAPI(
    title="NTM API",
    version="1",
    description=(
        "Units, criteria, values, results, plans, works and public data of the National Target "
        "Programme on New Rural Development, with the same rules as the web pages. "
        "Authenticate with `Authorization: Bearer ntm_…` (a personal token from your profile "
        "page) or a logged-in browser session. Errors: `{code, detail, errors}`."
    ),
    urls_namespace="api",
    auth=AUTH,
    throttle=[RateLimit()],
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)
for module in (units, catalog, values, results, planning, decisions, dhis2, public):
    api.add_router("/v1/", module.router)
