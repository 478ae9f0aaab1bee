"""Errors as RFC 9457 ``application/problem+json``, with translated titles."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(api, request, status: int, title: str, detail: str = "", **extra):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def field_errors(exc: ValidationError) -> list[dict]:
    """Pydantic's errors as {field, message}: the location without its "body"/"query" prefix."""
    errors = []
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload")
        ]
        errors.append({"field": ".".join(location), "message": error.get("msg", "")})
    return errors


def install(api) -> None:
    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return problem(
            api,
            request,
            400,
            _("Invalid request"),
            _("Some values are missing or wrong."),
            errors=field_errors(exc),
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = problem(
            api, request, 401, _("Authentication required"), _("Send a valid personal access token.")
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return problem(
            api, request, 403, _("Forbidden"), str(exc) or _("Your role does not allow this operation.")
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(api, request, 404, _("Not found"), _("The requested resource does not exist."))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return problem(api, request, exc.status_code, _("Request refused"), str(exc.message))
