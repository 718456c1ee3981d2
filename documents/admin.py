"""Admin: journal formats and print templates are edited here (audited); documents, versions,
signatures and certificates are read-only, changed only through the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template import Template, TemplateSyntaxError, engines
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.admin_base import PersonalDataAdmin, ReadOnlyAdmin
from audit.services import audit_record

from . import printforms, selectors, services
from .models import (
    CertificateAuthority,
    Document,
    DocumentDownload,
    Journal,
    PrintTemplate,
    RenderRequest,
    Signature,
    SignerCertificate,
    Version,
)


@admin.register(Journal)
class JournalAdmin(admin.ModelAdmin):
    list_display = ("code", "scope", "title", "pattern", "prefix", "suffix", "yearly_reset")
    list_filter = ("code", "scope")
    readonly_fields = ("code", "scope")

    def has_add_permission(self, request):
        return False  # journals are created on first registration, with their code's format

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="journal.update",
            obj=obj,
            data={name: form.cleaned_data.get(name) for name in form.changed_data},
        )


DOCX_TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


class PrintTemplateForm(forms.ModelForm):
    form = forms.ChoiceField(
        label=gettext_lazy("print form"),
        choices=[(code, f.title) for code, f in printforms.FORMS.items()],
    )
    docx_upload = forms.FileField(
        label=gettext_lazy("DOCX template"),
        required=False,
        help_text=gettext_lazy(
            "A Word document with Jinja tags ({{ organisation }}, {%p if topic %}, "
            "{%tr for e in events %}): start from the shipped one below."
        ),
    )
    clear_docx = forms.BooleanField(
        label=gettext_lazy("Use the shipped DOCX template again"), required=False
    )

    class Meta:
        model = PrintTemplate
        fields = ("form", "scope", "html", "is_active")

    def clean_html(self):
        """A template that does not compile is refused here, not discovered by a failed PDF."""
        html = self.cleaned_data["html"]
        if not html.strip():
            return ""
        try:
            Template(html, engine=engines["django"].engine)
        except TemplateSyntaxError as exc:
            raise ValidationError(
                _("The template has an error: %(error)s") % {"error": exc}
            ) from exc
        return html

    def clean_docx_upload(self):
        """Not a Word document, too large, or tags that do not compile: refused here."""
        from .printforms.docx import template_errors

        upload = self.cleaned_data.get("docx_upload")
        if not upload:
            return None
        if upload.size > DOCX_TEMPLATE_MAX_BYTES:
            raise ValidationError(_("The DOCX template is larger than 5 MB."))
        data = upload.read()
        errors = template_errors(data)
        if errors:
            raise ValidationError(
                _("The DOCX template has an error: %(error)s") % {"error": errors[0]}
            )
        return data

    def clean(self):
        cleaned = super().clean()
        keeps_docx = bool(self.instance.docx) and not cleaned.get("clear_docx")
        if not cleaned.get("html") and not cleaned.get("docx_upload") and not keeps_docx:
            raise ValidationError(_("Give an HTML template, a DOCX template or both."))
        return cleaned

    def save(self, commit=True):
        if self.cleaned_data.get("docx_upload"):
            self.instance.docx = self.cleaned_data["docx_upload"]
        elif self.cleaned_data.get("clear_docx"):
            self.instance.docx = None
        return super().save(commit)


@admin.register(PrintTemplate)
class PrintTemplateAdmin(PersonalDataAdmin):
    form = PrintTemplateForm
    personal_list_fields = ("updated_by",)
    list_display = ("form", "scope", "is_active", "updated_by", "updated_at")
    list_filter = ("form", "is_active")
    readonly_fields = ("updated_by", "docx_files", "shipped_default")
    fields = (
        "form",
        "scope",
        "is_active",
        "html",
        "shipped_default",
        "docx_upload",
        "clear_docx",
        "docx_files",
        "updated_by",
    )

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "docx/",
                self.admin_site.admin_view(self.docx_view),
                name="documents_printtemplate_docx",
            ),
            *super().get_urls(),
        ]

    def docx_view(self, request):
        """The DOCX template to start from: a row's upload (?pk=), else the shipped file of
        ?form= for ?scope= (the programme's own where its definition brings one)."""
        from django.http import Http404, HttpResponse

        from .printforms.docx import shipped_template

        if not self.has_view_permission(request):
            raise Http404
        form, scope = request.GET.get("form", ""), request.GET.get("scope", "")
        if request.GET.get("pk"):
            row = PrintTemplate.objects.filter(pk=request.GET["pk"]).first()
            if row is None or not row.docx:
                raise Http404
            data, form = bytes(row.docx), row.form
        elif form in printforms.FORMS:
            data = shipped_template(form, scope=scope).read_bytes()
        else:
            raise Http404
        response = HttpResponse(data, content_type=services.DOCX)
        response["Content-Disposition"] = f'attachment; filename="{form}.docx"'
        return response

    @admin.display(description=gettext_lazy("DOCX templates"))
    def docx_files(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html
        from django.utils.http import urlencode

        url = reverse("admin:documents_printtemplate_docx")
        code = obj.form if obj and obj.form else "order"
        shipped = format_html(
            '<a href="{}?{}">{}</a>',
            url,
            urlencode({"form": code, "scope": obj.scope if obj else ""}),
            _("the shipped one"),
        )
        if obj and obj.pk and obj.docx:
            own = format_html('<a href="{}?pk={}">{}</a>', url, obj.pk, _("this row's"))
            return format_html("{} · {}", own, shipped)
        return shipped

    @admin.display(description=gettext_lazy("Shipped default (copy and change)"))
    def shipped_default(self, obj):
        from django.template.loader import select_template
        from django.utils.html import format_html

        code = obj.form if obj and obj.form else "order"
        names = [printforms.template_name(code)]
        if obj and obj.scope:
            # The programme's own shipped template where its definition brings one.
            names.insert(0, printforms.template_name(code, scope=obj.scope))
        source = select_template(names).template.source
        return format_html("<pre style='white-space:pre-wrap;max-height:30em'>{}</pre>", source)

    def get_changeform_initial_data(self, request):
        """A new template starts as the shipped one extended, so staff change only a block."""
        code = request.GET.get("form", "order")
        return {
            "form": code,
            "html": '{% extends "'
            + printforms.template_name(code)
            + '" %}\n{% block body %}{{ block.super }}{% endblock %}\n',
        }

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="print_template.update" if change else "print_template.create",
            obj=obj,
            data={"form": obj.form, "scope": obj.scope},
        )


class VersionInline(admin.TabularInline):
    model = Version
    extra = 0
    can_delete = False
    fields = (
        "number",
        "role",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "created_by",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "reg_number", "reg_date", "render_state", "created_at")
    list_filter = ("kind", "render_state", "journal")
    search_fields = ("title", "reg_number", "verify_code")
    inlines = [VersionInline]
    actions = ["retry_rendering"]

    def get_queryset(self, request):
        """Without the documents of private cases (a school's unsent draft, decision 43)."""
        return selectors.documents_excluding_private(super().get_queryset(request))

    @admin.action(description=gettext_lazy("Prepare the print form again"))
    def retry_rendering(self, request, queryset):
        done = 0
        for document in queryset:
            try:
                services.print_form_retry(document=document, actor=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(
                    request, f"{document}: {' '.join(exc.messages)}", messages.WARNING
                )
        if done:
            self.message_user(
                request, _("%(count)s document(s) are being prepared again.") % {"count": done}
            )


@admin.register(RenderRequest)
class RenderRequestAdmin(ReadOnlyAdmin):
    list_display = ("document", "form", "state", "created_at", "finished_at")
    list_filter = ("state", "form")
    exclude = ("context",)  # may hold personal data of the case


@admin.register(SignerCertificate)
class SignerCertificateAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    personal_list_fields = ("subject", "user")
    list_display = ("subject", "user", "source", "serial", "not_after", "revoked_at")
    list_filter = ("source",)
    search_fields = ("subject", "serial", "user__username")
    exclude = ("key_encrypted",)
    actions = ["revoke"]

    @admin.action(description=gettext_lazy("Revoke the selected certificates"))
    def revoke(self, request, queryset):
        for certificate in queryset:
            services.signer_certificate_revoke(
                certificate=certificate,
                reason=_("Revoked by %(name)s in the administration") % {"name": request.user},
                actor=request.user,
            )
        self.message_user(request, _("Revoked."))


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(ReadOnlyAdmin):
    list_display = ("name", "created_at")
    exclude = ("key_encrypted",)


@admin.register(Signature)
class SignatureAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    personal_list_fields = ("signer",)
    list_display = ("document", "signer", "signed_at", "certificate")


@admin.register(DocumentDownload)
class DocumentDownloadAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    personal_list_fields = ("user",)
    list_display = ("at", "user", "document", "version")
    list_filter = ("at",)
