"""Marking messages for translation where Django must not be imported: the pure rules and helpers.

``gettext_noop`` is the name ``makemessages`` looks for; it returns the English source unchanged, and the caller
translates it (``gettext(message) % params``) when it shows it to a person.
"""


def gettext_noop(message: str) -> str:
    """Marks ``message`` for the translation catalogue and returns it unchanged."""
    return message
