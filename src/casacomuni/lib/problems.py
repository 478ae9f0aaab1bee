"""A refusal an API operation answers with its own problem+json body (RFC 9457).

An app's API module raises ``Problem`` when the generic answers (a 400 for a service's refusal, a 404, a 409 via
``HttpError``) do not say enough, for instance a 422 with one message per answer of a questionnaire. The API
assembly (``casacomuni.api.problems``) turns it into the response, so that apps need not import the API object,
which imports them.
"""


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", **extra):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        # Further members of the problem object, such as ``errors``.
        self.extra = extra
