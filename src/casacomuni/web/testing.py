"""Test helpers: what an Italian page must not show — English words of an untranslated interface and the raw
codes of the models (``not_applicable``, ``base_amount``) instead of their labels.

``italian_problems(html)`` reads what a person sees or hears of a page: its text and the attributes read
aloud (``aria-label``, ``title``, ``alt``, ``placeholder``, a button's ``value``). Not read: code samples
(``code``, ``kbd``, ``samp``, ``pre``), passages marked in another language (``lang="en"``, as WCAG 3.1.2
asks), text quoted as its source published it (``translate="no"``: a call's title, say), addresses, and
words in capitals (sigle such as TO or AT). The browser tests run it on every page they check.
"""

import importlib
import pkgutil
import re
from functools import cache
from html.parser import HTMLParser

from django.apps import apps
from django.db import models

# English words that no Italian sentence contains (Italian homographs such as "come", "date", "data", "case",
# "file", "link", "no", "in", "a", "e", "state" are left out on purpose).
ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "with",
        "without",
        "your",
        "you",
        "this",
        "that",
        "these",
        "those",
        "please",
        "select",
        "option",
        "options",
        "required",
        "field",
        "fields",
        "too",
        "short",
        "must",
        "should",
        "which",
        "what",
        "when",
        "where",
        "who",
        "will",
        "would",
        "can",
        "cannot",
        "could",
        "does",
        "doesn't",
        "don't",
        "an",
        "at",
        "by",
        "from",
        "on",
        "or",
        "to",
        "into",
        "than",
        "then",
        "there",
        "their",
        "they",
        "we",
        "our",
        "its",
        "if",
        "else",
        "only",
        "any",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "not",
        "yes",
        "save",
        "cancel",
        "delete",
        "edit",
        "search",
        "next",
        "previous",
        "back",
        "loading",
        "error",
        "warning",
        "success",
        "submit",
        "submitted",
        "pending",
        "active",
        "accepted",
        "rejected",
        "expired",
        "withdrawn",
        "awarded",
        "published",
        "cancelled",
        "deserted",
        "draft",
        "unknown",
        "eligible",
        "municipality",
        "municipalities",
        "union",
        "unions",
        "region",
        "regions",
        "built-in",
        "template",
        "templates",
    ]
)
# Names of things that are English by nature and stay so in an Italian page.
PROPER_NAMES = (
    "Funding & Tenders",
    "Open Contracting Data Standard",
    "Open Contracting Partnership",
    "Next Generation EU",
    "Horizon Europe",
    "Digital Europe",
    "Connecting Europe Facility",
    "Single Market Programme",
    "Creative Europe",
    "Bootstrap Italia",
    "CC BY",
    "European Union Public Licence",
    # The principle of art. 52 of the Codice dell'amministrazione digitale, named in English by Italian law.
    "open data by default",
)
# Elements that start a new line of text; inline ones (a, span, strong…) continue the line they are in.
BLOCK_ELEMENTS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "label",
    "legend",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "section",
    "select",
    "summary",
    "table",
    "td",
    "textarea",
    "th",
    "tr",
    "ul",
}
SKIPPED_ELEMENTS = {"script", "style", "template", "code", "kbd", "samp", "pre", "svg", "noscript"}
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
SPOKEN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")
ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")
WORD = re.compile(r"(?<![\w'’-])[A-Za-z](?:[A-Za-z'’-]*[A-Za-z])?(?![\w'’-])")
IDENTIFIER = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-]|\.\w)")


class VisibleText(HTMLParser):
    """The text of a page a person sees or hears, a line per block, without code samples and passages in
    another language; the attributes read aloud are lines of their own."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def end_line(self) -> None:
        text = " ".join("".join(self.line).split())
        if text:
            self.lines.append(text)
        self.line = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in BLOCK_ELEMENTS:
            self.end_line()
        language = (attrs.get("lang") or "it").lower()
        quoted = attrs.get("translate") == "no"
        skipped = self.skipping or tag in SKIPPED_ELEMENTS or quoted or not language.startswith("it")
        if not skipped:
            self.lines.extend(attrs[name] for name in SPOKEN_ATTRIBUTES if attrs.get(name))
            if (
                tag in ("input", "button")
                and attrs.get("type") in ("submit", "button")
                and attrs.get("value")
            ):
                self.lines.append(attrs["value"])
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        if tag in BLOCK_ELEMENTS:
            self.end_line()
        # Pop to the matching tag: browsers forgive a missing </p> or </li>, and so must we.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.skipping:
            self.line.append(data)

    def text(self) -> str:
        self.end_line()
        return "\n".join(self.lines)


def visible_text(html: str) -> str:
    body = html.split("<body", 1)[-1]
    parser = VisibleText()
    parser.feed("<body" + body if "<body" in html else html)
    parser.close()
    return parser.text()


@cache
def raw_identifiers() -> frozenset[str]:
    """The snake_case codes of the project's models: the values of their choices and their fields' names."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith("casacomuni."):
            continue
        for model_field in model._meta.get_fields():
            codes.add(model_field.name)
            for value, _label in getattr(model_field, "flatchoices", None) or ():
                codes.add(str(value))
    for choices in all_subclasses(models.Choices):
        if choices.__module__.startswith("casacomuni."):
            codes.update(str(value) for value in choices.values)
    codes.update(rule_codes())
    return frozenset(code for code in codes if IDENTIFIER.fullmatch(code))


def rule_codes() -> set[str]:
    """The codes the pure rules return (an anomaly branch's ``not_applicable``): their modules' constants."""
    codes = set()
    for app in apps.get_app_configs():
        try:
            package = importlib.import_module(f"{app.name}.rules")
        except ImportError:
            continue
        for module in pkgutil.iter_modules(package.__path__):
            rules = importlib.import_module(f"{package.__name__}.{module.name}")
            codes.update(
                value for name, value in vars(rules).items() if name.isupper() and isinstance(value, str)
            )
    return codes


def all_subclasses(cls) -> set[type]:
    found = set()
    for subclass in cls.__subclasses__():
        found |= {subclass} | all_subclasses(subclass)
    return found


def italian_problems(html: str) -> list[str]:
    """English words and raw model codes in what a person reads of ``html``, each with its context."""
    text = visible_text(html)
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    problems = []
    for line in text.splitlines():
        line = ADDRESS.sub(" ", line)
        words = (word for word in WORD.findall(line) if not word.isupper())
        english = sorted({word for word in words if word.lower() in ENGLISH_WORDS})
        codes = sorted(set(IDENTIFIER.findall(line)) & raw_identifiers())
        if english or codes:
            problems.append(f"{', '.join(english + codes)} in “{line.strip()[:160]}”")
    return problems
