"""Errors as RFC 9457 ``application/problem+json``, with translated titles."""

import logging
from decimal import InvalidOperation

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as RefusedByService
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, HttpError, ValidationError

from casacomuni.lib.problems import Problem

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Django's own logger of server errors, so that an API failure reaches the same handlers (mail to admins).
request_logger = logging.getLogger("django.request")
# The one English message Django Ninja raises itself, for a body its parser cannot read.
NINJA_UNREADABLE_BODY = "Cannot parse request body"


def problem(api, request, status: int, title: str, detail: str = "", **extra):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


# Pydantic's messages are English: the common ones are given in the user's language, by error type.
FIELD_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "greater_than_equal": gettext_lazy("Enter a value greater than or equal to %(ge)s."),
    "greater_than": gettext_lazy("Enter a value greater than %(gt)s."),
    "less_than_equal": gettext_lazy("Enter a value less than or equal to %(le)s."),
    "less_than": gettext_lazy("Enter a value less than %(lt)s."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("The value does not have the expected format."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
    "decimal_max_places": gettext_lazy("Enter at most %(decimal_places)s decimal places."),
    "decimal_max_digits": gettext_lazy("Enter at most %(max_digits)s digits."),
}


def field_message(error: dict) -> str:
    template = FIELD_MESSAGES.get(error.get("type", ""))
    if template is None:
        return error.get("msg", "")
    try:
        return str(template) % error.get("ctx", {})
    except (KeyError, TypeError):
        return error.get("msg", "")


def field_errors(exc: ValidationError) -> list[dict]:
    """Pydantic's errors as {field, message}: the location without its "body"/"query" prefix."""
    errors = []
    for error in exc.errors:
        location = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "query", "path", "payload", "form", "file")
        ]
        errors.append({"field": ".".join(location), "message": field_message(error)})
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

    @api.exception_handler(RefusedByService)
    def refused_by_service(request, exc):
        # A service's own check (Django's ValidationError, already in the user's language), with a message
        # per field when the service named the fields.
        if not hasattr(exc, "error_dict"):
            return problem(api, request, 400, _("Invalid request"), " ".join(exc.messages))
        errors = [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        return problem(api, request, 400, _("Invalid request"), " ".join(exc.messages), errors=errors)

    @api.exception_handler(Problem)
    def problem_raised(request, exc):
        return problem(api, request, exc.status, exc.title, exc.detail, **exc.extra)

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

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    @api.exception_handler(InvalidOperation)
    def out_of_range(request, exc):
        # The backstop of lib.bounds: a number the database cannot hold, wherever it was not bounded yet.
        return problem(
            api, request, 400, _("Invalid request"), _("A number is beyond what the platform can record.")
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        detail = str(exc.message)
        if detail == NINJA_UNREADABLE_BODY:
            detail = _("The request body cannot be read: check its format and its Content-Type.")
        return problem(api, request, exc.status_code, _("Request refused"), detail)

    @api.exception_handler(Exception)
    def server_error(request, exc):
        # Also with DEBUG on (the demo): an API client gets a problem, never a page with the traceback,
        # which stays in the log.
        request_logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        return problem(
            api, request, 500, _("Server error"), _("The request could not be completed; it has been logged.")
        )
