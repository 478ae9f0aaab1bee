"""Soccorso istruttorio: the time an operator is given to complete or correct its administrative documents.

Art. 101 c.1 D.Lgs. 36/2023: the contracting authority gives the operator "un termine non inferiore a cinque
giorni e non superiore a dieci giorni" to integrate any missing element of the documentation (lett. a) or to
remedy omissions, inaccuracies or irregularities of the application, the ESPD and the other documents (lett. b);
the economic and technical offers cannot be integrated this way (c.1, first sentence). The days are calendar
days from the request; the term ends at the end of its last day unless the request names an earlier hour.

Pure: plain values in, plain values out.
"""

from datetime import date, timedelta

from casacomuni.lib.i18n import gettext_noop

MIN_DAYS = 5
MAX_DAYS = 10


def answer_deadline(requested_on: date, days: int) -> date:
    """The last day of the term: ``days`` calendar days after the day of the request."""
    return requested_on + timedelta(days=days)


def term_problem(days: int) -> str | None:
    """Why ``days`` is not a lawful term (art. 101 c.1: from five to ten days), or None."""
    if days < MIN_DAYS or days > MAX_DAYS:
        return gettext_noop("The term is from 5 to 10 days (art. 101 c.1 D.Lgs. 36/2023).")
    return None
