"""DOCX templates with Jinja placeholders (docxtpl): checking an uploaded template and filling one in.

A template is code its author runs on the server, so it is parsed and rendered in Jinja's sandbox, with
no global functions (no ``range``, no ``lipsum``), no repetition of text or lists by ``*``, no ``**`` and no
``%`` formatting: a template may only print and loop over the data of its vocabulary. Only the filters a
document needs are offered, with numeric arguments and results bounded (``center(100000000)``, or ``replace``
chained to multiply a text, would exhaust the memory), and the whole fill runs in a child process with a
time and memory limit (``documents.limits``), so that nested loops cannot hold the server either.
Undefined names and fields raise (StrictUndefined), so a misspelt placeholder is found when the template is
uploaded, not when a document is generated. Values are XML-escaped (autoescape), so "&" or "<" in a name
cannot break the file.
"""

import functools
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateAssertionError, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from casacomuni.documents import limits

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
# A DOCX is a zip: its unpacked size is bounded too, so that a small "zip bomb" cannot fill the memory.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAIN_PART = "word/document.xml"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class TemplateProblem(ValueError):
    """The template cannot be used; ``message`` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Placeholder:
    """A top-level name a template may use: a value, an object with ``fields``, or a list of such (``many``)."""

    name: str
    description: str | Promise
    fields: dict[str, str | Promise] = field(default_factory=dict)
    many: bool = False


# The filters a document needs; every other filter of Jinja is unknown to a template.
ALLOWED_FILTERS = [
    "abs",
    "center",
    "capitalize",
    "count",
    "d",
    "default",
    "e",
    "escape",
    "first",
    "float",
    "int",
    "join",
    "last",
    "length",
    "lower",
    "max",
    "min",
    "replace",
    "round",
    "sort",
    "string",
    "striptags",
    "sum",
    "title",
    "trim",
    "truncate",
    "upper",
    "wordcount",
]
# No number in a document template needs to be larger (a width, a length, a count of decimals).
MAX_ARGUMENT = 1000
# Longest text a single value, filter or method may produce: a whole clause, never a whole book.
MAX_VALUE_CHARS = 100_000
# The filled-in document, zipped.
MAX_RENDERED_BYTES = 20 * 1024 * 1024


def too_large() -> SecurityError:
    return SecurityError(_("The template produces a text that is too long."))


def bounded(value):
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        raise too_large()
    return value


def check_arguments(args, kwargs) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise SecurityError(
                _("A number in the template is too large (at most %(limit)s).") % {"limit": MAX_ARGUMENT}
            )


def guarded_filter(function):
    """``function`` with its numeric arguments and its result bounded (the value filtered is not checked:
    it is the data, or the bounded result of an earlier filter)."""

    @functools.wraps(function)
    def guarded(value, *args, **kwargs):
        check_arguments(args, kwargs)
        return bounded(function(value, *args, **kwargs))

    return guarded


class DocumentEnvironment(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator, left, right):
        # "x" * 10**9 or "%1000000000s" % x would exhaust the memory: documents have no use for them.
        if operator in ("**", "%") or any(isinstance(value, str | list | tuple) for value in (left, right)):
            raise SecurityError(_("A template cannot repeat text or lists with “*” or use “**” or “%”."))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        # Methods of the values (a text's ``zfill``, ``ljust``…) take the same bounds as the filters.
        check_arguments(args, kwargs)
        return bounded(super().call(__context, __obj, *args, **kwargs))


def environment() -> DocumentEnvironment:
    env = DocumentEnvironment(undefined=StrictUndefined, autoescape=True)
    env.globals.clear()
    env.filters = {name: guarded_filter(env.filters[name]) for name in ALLOWED_FILTERS}
    return env


def open_docx(data: bytes) -> DocxTemplate:
    """The template in ``data``, if it is a real DOCX within the limits; TemplateProblem otherwise."""
    not_docx = TemplateProblem(
        _(
            "The file is not a Word document (DOCX). Save it from your word processor as "
            "“Word document (.docx)” and upload it again."
        )
    )
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_TEMPLATE_BYTES // 1024 // 1024}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise not_docx from error
    if MAIN_PART not in {entry.filename for entry in entries}:
        raise not_docx
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise TemplateProblem(_("The document is too large once unpacked."))
    template = DocxTemplate(io.BytesIO(data))
    try:
        template.init_docx()
    except Exception as error:  # python-docx raises many kinds of errors on a damaged package
        raise not_docx from error
    return template


def jinja_source(template: DocxTemplate) -> str:
    """The Jinja text docxtpl renders: the body, then headers and footers (as its own variable finder does)."""
    document = template.docx
    source = template.patch_xml(template.xml_to_string(document._element.body))
    for relation in document._part.rels.values():
        if relation.reltype in (template.HEADER_URI, template.FOOTER_URI) and relation.target_part.blob:
            source += template.patch_xml(template.xml_to_string(parse_xml(relation.target_part.blob)))
    return source


def parse(template: DocxTemplate, env: DocumentEnvironment) -> nodes.Template:
    source = jinja_source(template)
    try:
        return env.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(
            _("The template has a syntax error (%(error)s) near: “%(text)s”.")
            % {"error": error.message, "text": text_near(source, error.lineno)}
        ) from error


def text_near(source: str, lineno: int | None) -> str:
    """The document's words around a line of the Jinja source (docxtpl puts one paragraph per line)."""
    lines = source.splitlines()
    index = max((lineno or 1) - 1, 0)
    text = " ".join(re.sub(r"<[^>]+>", "", line) for line in lines[max(index - 1, 0) : index + 2])
    return " ".join(text.split())[:200]


def undeclared_names(ast: nodes.Template) -> set[str]:
    """The names the template takes from its data; a filter outside ``ALLOWED_FILTERS`` is refused here."""
    try:
        return meta.find_undeclared_variables(ast)
    except TemplateAssertionError as error:
        unknown_filter = re.search(r"No filter named '([^']+)'", error.message or "")
        raise TemplateProblem(
            _("The template uses the filter “%(name)s”, which document models cannot use.")
            % {"name": unknown_filter.group(1) if unknown_filter else error.message}
        ) from error


def unknown_placeholders(ast: nodes.Template, vocabulary: tuple[Placeholder, ...]) -> list[str]:
    """Names and fields the template uses that the vocabulary does not have, e.g. ``ente.nome_sbagliato``.

    Fields are checked on the vocabulary's objects and on the loop variables over its lists
    (``{% for s in servizi %}{{ s.nome }}``); anything subtler is caught by the sample fill.
    """
    known = {placeholder.name: placeholder for placeholder in vocabulary}
    unknown = {name for name in undeclared_names(ast) if name not in known}
    objects = {name: p for name, p in known.items() if p.fields and not p.many}
    for loop in ast.find_all(nodes.For):
        if isinstance(loop.iter, nodes.Name) and isinstance(loop.target, nodes.Name):
            placeholder = known.get(loop.iter.name)
            if placeholder is not None and placeholder.many:
                objects[loop.target.name] = placeholder
    for access in ast.find_all(nodes.Getattr):
        owner = objects.get(access.node.name) if isinstance(access.node, nodes.Name) else None
        if owner is not None and access.attr not in owner.fields:
            unknown.add(f"{owner.name}.{access.attr}")
    return sorted(unknown)


def check(data: bytes, vocabulary: tuple[Placeholder, ...], sample: dict) -> list[str]:
    """Check an uploaded template and return the top-level placeholders it uses.

    Raises:
        TemplateProblem: not a DOCX, too large, a Jinja syntax error, placeholders outside the
            vocabulary (named in the message), or an error when filled in with the sample data.
    """
    env = environment()
    ast = parse(open_docx(data), env)
    unknown = unknown_placeholders(ast, vocabulary)
    if unknown:
        raise TemplateProblem(
            _("These placeholders do not exist: %(names)s. Use only the placeholders listed on this page.")
            % {"names": ", ".join(unknown)}
        )
    render(data, sample)
    return sorted(undeclared_names(ast))


def render(data: bytes, context: dict) -> bytes:
    """The template in ``data`` filled in with ``context``, as DOCX bytes, within the time and memory
    limits (``documents.limits``).

    Raises:
        TemplateProblem: the template fails, takes too long, needs too much memory or produces too much.
    """
    try:
        return limits.run_limited(fill, data, context)
    except limits.LimitExceeded as exceeded:
        raise TemplateProblem(exceeded.message) from exceeded


def fill(data: bytes, context: dict) -> bytes:
    template = open_docx(data)
    try:
        template.render(context, jinja_env=environment(), autoescape=True)
    except (TemplateError, TypeError, ValueError, ArithmeticError, RecursionError) as error:
        reason = str(getattr(error, "message", None) or error).rstrip(".")
        raise TemplateProblem(
            _("The template cannot be filled in: %(error)s.") % {"error": reason}
        ) from error
    output = io.BytesIO()
    template.save(output)
    if output.tell() > MAX_RENDERED_BYTES:
        raise TemplateProblem(_("The filled-in document is too large."))
    return output.getvalue()
