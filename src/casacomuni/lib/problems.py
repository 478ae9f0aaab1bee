"""A refusal an API operation answers with its own problem+json body (RFC 9457).

An app's API module raises ``Problem`` when the generic answers (a 400 for a service's refusal, a 404, a 409 via
``HttpError``) do not say enough, for instance a 422 with one message per answer of a questionnaire. The API
assembly (``casacomuni.api.problems``) turns it into the response, so that apps need not import the API object,
which imports them. ``documented`` describes an operation's problems in its OpenAPI document.
"""

# The body every problem answer has (casacomuni.api.problems), as an OpenAPI schema.
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; detail gives the reason in Italian",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "format": "int32"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "One message per field, when the reason is about fields",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status"],
}
DESCRIPTIONS = {
    400: "Invalid data or a step the state refuses: the reason in detail; nothing was changed",
    401: "No valid personal access token",
    403: "The caller's role may not act here",
    404: "Not found, or not visible to the caller",
    409: "The state of the resource does not allow it now",
}


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", **extra):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        # Further members of the problem object, such as ``errors``.
        self.extra = extra


def documented(*statuses: int, ok: dict | None = None) -> dict:
    """An operation's ``openapi_extra`` documenting its problems (401 and 403 always, then ``statuses``) as
    ``application/problem+json``, which the Italian API guidelines ask of every error answer (ruleset rule
    use-problem-json-for-errors); ``ok`` adds a success answer that is not JSON, such as a PDF."""
    problems = {
        status: {
            "description": DESCRIPTIONS[status],
            "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
        }
        for status in (401, 403, *statuses)
    }
    return {"responses": {**(ok or {}), **problems}}
