"""One error shape for every refusal: a machine-readable ``code``, a message for people in the
request's language (Vietnamese unless the client asks for English), and per-row/field details."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from ntm.core.tabular import ImportRefused
from ntm.observations.services import DataError
from ntm.planning.services import PlanError


class ErrorItem(Schema):
    row: int | None = None  # line of the uploaded file (header is 1) or item index + 2 in JSON
    column: str | None = None
    field: str | None = None  # where in the request (query.limit, body.values.0.period)
    message: str


class ErrorOut(Schema):
    code: str
    detail: str
    errors: list[ErrorItem] = []


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, detail: str, errors: list[ErrorItem] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.errors = status, code, detail, errors or []


# What every authenticated operation may answer besides its success.
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
PUBLIC_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid_input",
    429: "rate_limited",
}


def _respond(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, detail: str, errors: Any = ()
) -> HttpResponse:
    body = {"code": code, "detail": detail, "errors": [dict(e) for e in errors]}
    return api.create_response(request, body, status=status)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return _respond(
            api, request, exc.status, exc.code, exc.detail, [e.model_dump() for e in exc.errors]
        )

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ())),
                "message": str(e.get("msg", "")),
            }
            for e in exc.errors
        ]
        return _respond(api, request, 422, "invalid_input", _("The request is not valid."), errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _respond(
            api,
            request,
            401,
            "unauthenticated",
            _("Send “Authorization: Bearer <token>” or log in."),
        )

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return _respond(api, request, 429, "rate_limited", _("Too many requests: slow down."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        return _respond(api, request, status, HTTP_CODES.get(status, "error"), str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _respond(api, request, 404, "not_found", _("Not found (or not yours to see)."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _respond(api, request, 403, "forbidden", _("Your role does not allow this here."))

    @api.exception_handler(DataError)
    def data_refused(request: HttpRequest, exc: DataError) -> HttpResponse:
        return _respond(api, request, 422, "refused", str(exc))

    @api.exception_handler(PlanError)
    def plan_refused(request: HttpRequest, exc: PlanError) -> HttpResponse:
        return _respond(api, request, 422, "refused", str(exc))

    @api.exception_handler(ImportRefused)
    def import_refused(request: HttpRequest, exc: ImportRefused) -> HttpResponse:
        errors = [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
        return _respond(
            api,
            request,
            422,
            "import_refused",
            _("Nothing was written: %(n)d problems.") % {"n": len(errors)},
            errors,
        )
