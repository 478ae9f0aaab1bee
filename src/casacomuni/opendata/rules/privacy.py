"""The privacy guard of the open-data files: no e-mail address and no personal codice fiscale may be published.

Open data are published "nel rispetto della normativa sulla protezione dei dati personali" (D.Lgs. 33/2013
art. 7-bis; D.Lgs. 36/2006 art. 1 c.2; GDPR art. 5 c.1 lett. c, data minimisation). The generators never read
people's data, but free text typed by people (an agreement's title, a call's name) may carry some: every
file is scanned before it is written, and a file with a finding is refused.

What is looked for, in any text (CSV or JSON alike):

- an e-mail address (``local@domain.tld``; PEC addresses included: a PEC of a person is personal data, and
  an office's PEC has no place in a dataset that is not about contacts);
- a codice fiscale of a natural person: 16 characters in the pattern of D.M. 23 dicembre 1976 (6 letters,
  2 digits, month letter, 2 digits, cadastral code, check letter; digits may be replaced by the "omocodia"
  letters L-V), confirmed by its check character with python-stdnum (``stdnum.it.codicefiscale``).
  A 16-character string whose check character is wrong is not a codice fiscale and is not reported.
  The 11-digit codice fiscale / partita IVA of a company or a public body is not personal data and is not
  reported.

Pure: no Django, no database. ``find_personal_data(text)`` lists the findings; ``check_publishable(text)``
raises ``PersonalDataFound`` on the first ones.
"""

import re
from dataclasses import dataclass

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale

EMAIL = "email"
FISCAL_CODE = "fiscal_code"

# RFC 5322's dot-atom, simplified: what mail clients accept in practice. The domain needs a dot and a TLD
# of two letters or more, so "5@2023" or "user@localhost" are not taken for addresses.
EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
# The omocodia letters stand for digits 0-9 (L M N P Q R S T U V).
_DIGIT = "[0-9LMNPQRSTUV]"
FISCAL_CODE_PATTERN = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{{6}}{_DIGIT}{{2}}[ABCDEHLMPRSTabcdehlmprst]{_DIGIT}{{2}}"
    rf"[A-Za-z]{_DIGIT}{{3}}[A-Za-z](?![A-Za-z0-9])"
)


@dataclass(frozen=True)
class Finding:
    kind: str  # EMAIL or FISCAL_CODE
    value: str
    position: int  # offset of the first character in the text


class PersonalDataFound(ValueError):
    """A file would publish personal data; ``findings`` says what and where."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        kinds = sorted({finding.kind for finding in findings})
        super().__init__(f"personal data found: {', '.join(kinds)} ({len(findings)} occurrences)")


def is_personal_fiscal_code(candidate: str) -> bool:
    """True for a well-formed 16-character codice fiscale whose check character is right."""
    if len(candidate) != 16:
        return False
    try:
        codicefiscale.validate(candidate)
    except StdnumError:
        return False
    return True


def find_personal_data(text: str) -> list[Finding]:
    """Every e-mail address and personal codice fiscale in ``text``, in order of position."""
    findings = [Finding(EMAIL, match.group(), match.start()) for match in EMAIL_PATTERN.finditer(text)]
    findings += [
        Finding(FISCAL_CODE, match.group(), match.start())
        for match in FISCAL_CODE_PATTERN.finditer(text)
        if is_personal_fiscal_code(match.group())
    ]
    return sorted(findings, key=lambda finding: finding.position)


def check_publishable(text: str) -> None:
    """Raise PersonalDataFound when ``text`` holds an e-mail address or a personal codice fiscale."""
    findings = find_personal_data(text)
    if findings:
        raise PersonalDataFound(findings)
