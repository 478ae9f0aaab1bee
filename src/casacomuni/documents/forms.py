"""Forms of the documents app, and the mixin that keeps a refused form's files for every form of the project."""

import uuid

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from casacomuni.documents import services
from casacomuni.documents.kinds import TemplateKind
from casacomuni.documents.models import PendingUpload
from casacomuni.lib.forms import StyledForm

KEPT_SUFFIX = "-kept"
REMOVE_SUFFIX = "-kept-remove"


class KeptUploadBoundField(BoundField):
    """A field that knows the file kept for it, which ``lib/field.html`` shows with a remove control."""

    @property
    def kept_upload(self) -> PendingUpload | None:
        return self.form.kept_uploads.get(self.name)

    @property
    def kept_name(self) -> str:
        return self.html_name + KEPT_SUFFIX

    @property
    def remove_name(self) -> str:
        return self.html_name + REMOVE_SUFFIX


class KeepsUploadsMixin:
    """A form whose files survive an error: a file chosen in a form refused for another reason (a field
    left empty, a date out of range, a refusal of the service) is stored as the user's pending upload,
    shown again with its name and size and a control to remove it, and used when the form is sent again,
    unless the user chooses another file or removes it.

    The form needs ``owner`` (the user filling it in): a pending upload is found only by its owner and in
    the form it was left in. The view calls ``forget_kept_uploads()`` once the service has stored the
    files; pending uploads never used are deleted by the daily ``purge_pending_uploads``.
    """

    bound_field_class = KeptUploadBoundField
    # The name that ties pending uploads to this form; the class's dotted path unless set.
    uploads_form: str = ""

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.kept_uploads: dict[str, PendingUpload] = {}
        self._cleaned = False

    @property
    def uploads_key(self) -> str:
        return self.uploads_form or f"{type(self).__module__}.{type(self).__qualname__}"[-100:]

    def file_fields(self) -> list[str]:
        return [name for name, field in self.fields.items() if isinstance(field, forms.FileField)]

    def full_clean(self):
        if self.is_bound and self.owner is not None:
            self._use_kept_uploads()
        super().full_clean()
        self._cleaned = True
        if self._errors:
            self.keep_uploads()

    def add_error(self, field, error):
        super().add_error(field, error)
        # An error added after the form's own cleaning (a service's refusal) keeps the files too.
        if self._cleaned:
            self.keep_uploads()

    def _use_kept_uploads(self) -> None:
        """Put each kept file the form was sent with among its files, unless replaced or removed."""
        files, dropped = self.files.copy(), []
        for name in self.file_fields():
            key = self.add_prefix(name)
            pending = self._pending(self.data.get(key + KEPT_SUFFIX))
            if pending is None:
                continue
            if self.data.get(key + REMOVE_SUFFIX) or files.get(key):
                dropped.append(pending)
                continue
            stored = pending.file.open("rb")
            files[key] = UploadedFile(stored, name=pending.original_name, size=pending.size)
            self.kept_uploads[name] = pending
        self.files = files
        if dropped:
            services.discard_uploads(dropped)

    def _pending(self, token) -> PendingUpload | None:
        try:
            pk = uuid.UUID(str(token))
        except ValueError:
            return None
        return PendingUpload.objects.of(self.owner, self.uploads_key).filter(pk=pk).first()

    def keep_uploads(self) -> None:
        """Keep the new files of the fields without errors; a file whose field is in error is not kept.

        Runs when the form has errors; a view whose service refuses without naming a field calls it
        itself before showing the form again.
        """
        if self.owner is None or not self.is_bound:
            return
        errors = self.errors
        for name in self.file_fields():
            kept = self.kept_uploads.get(name)
            if name in errors:
                if kept is not None:
                    services.discard_uploads([self.kept_uploads.pop(name)])
                continue
            upload = self.files.get(self.add_prefix(name))
            if kept is None and isinstance(upload, UploadedFile):
                self.kept_uploads[name] = services.keep_upload(self.owner, self.uploads_key, upload)

    def forget_kept_uploads(self) -> None:
        """The form was sent and its files stored by the service: the pending copies are not needed."""
        if self.kept_uploads:
            services.discard_uploads(self.kept_uploads.values())
            self.kept_uploads = {}


class UploadTemplateForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=TemplateKind.choices)
    file = forms.FileField(
        label=_("Template (DOCX)"),
        help_text=_("A Word document (.docx) of at most 5 MB, with the placeholders listed on this page."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        help_text=_("What changed in this version."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
