"""Pages of the document templates: versions, upload, download, preview and the packaged default.

Only a Province's administrator reaches them, and only for its own Province's templates. Stored files
are streamed from here, never from MEDIA_URL.
"""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from casacomuni.accounts import tenancy
from casacomuni.accounts.actor import Actor
from casacomuni.accounts.roles import Role
from casacomuni.documents import docx, kinds, services
from casacomuni.documents.forms import UploadTemplateForm
from casacomuni.documents.models import DocumentTemplate


def scoped_templates(request):
    tenancy.require_role(request.user, Role.PROVINCE_ADMIN)
    return DocumentTemplate.objects.for_user(request.user)


@login_required
def templates(request):
    queryset = scoped_templates(request).select_related("uploaded_by")
    form = UploadTemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = services.upload_template(
                Actor.from_request(request), data["kind"], data["file"], data["note"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                _("Version %(version)d of the template is now in use.") % {"version": template.version},
            )
            return redirect("documents:templates")
    sections = [
        {
            "kind": kind,
            "label": label,
            "versions": [t for t in queryset if t.kind == kind],
            "vocabulary": kinds.source(kind).VOCABULARY,
        }
        for kind, label in kinds.TemplateKind.choices
    ]
    return render(
        request,
        "documents/templates.html",
        {"form": form, "sections": sections},
        status=400 if form.errors else 200,
    )


def docx_response(data, filename: str):
    response = HttpResponse(data, content_type=docx.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def template_download(request, pk):
    template = get_object_or_404(scoped_templates(request), pk=pk)
    return FileResponse(
        template.file.open("rb"),
        as_attachment=True,
        filename=template.original_name,
        content_type=docx.DOCX_CONTENT_TYPE,
    )


@login_required
def template_preview(request, pk):
    template = get_object_or_404(scoped_templates(request), pk=pk)
    try:
        data = kinds.source(template.kind).render_template_preview(template)
    except docx.TemplateProblem as problem:
        messages.error(request, problem.message)
        return redirect("documents:templates")
    return docx_response(data, f"anteprima-{PurePath(template.original_name).stem}.docx")


@login_required
def default_template(request):
    """The packaged template of a kind (``?kind=``, the agreement by default), to start a Province's own."""
    tenancy.require_role(request.user, Role.PROVINCE_ADMIN)
    kind = request.GET.get("kind", kinds.TemplateKind.AGREEMENT)
    if kind not in kinds.TemplateKind.values:
        raise Http404
    path = kinds.source(kind).DEFAULT_TEMPLATE
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=docx.DOCX_CONTENT_TYPE
    )
