"""The paper trail: documents, their immutable versions, journals, print forms and signatures.

Knows nothing of workflows: a document points at its case through a content type and an id,
and at its owner organisation by a plain id.
"""

import re
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import limits
from core.limits import LineField
from core.models import TimeStamped


def verify_code_new() -> str:
    """Unguessable code of the verification page (requisite 31): 128 random bits."""
    return secrets.token_urlsafe(16)


class Document(TimeStamped):
    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", _("Attachment")
        APPLICATION = "application", _("Application")
        PROTOCOL = "protocol", _("Minutes of the council")
        PROTOCOL_EXTRACT = "protocol_extract", _("Extract from the minutes")
        ORDER = "order", _("Order")
        STATUS_CERTIFICATE = "status_certificate", _("Status certificate")
        REFUSAL_LETTER = "refusal_letter", _("Notification of refusal")
        REPORT = "report", _("Report")
        PLAN = "plan", _("Plan")
        NETWORK_REPORT = "network_report", _("Network yearly report")
        AGREEMENT = "agreement", _("Cooperation agreement")
        AUDIT_CHECKPOINT = "audit_checkpoint", _("Audit log checkpoint")
        CONSENT = "consent", _("Consent to publication")

    class RenderState(models.TextChoices):
        NONE = "", _("Not a print form")
        PREPARING = "preparing", _("Preparing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.ATTACHMENT)
    # Composed by the code (a duty, a protocol, an order naming its schools) or typed with an
    # upload (the form limits that); an upload without a title takes the file's name.
    title = LineField(_("title"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    # Registration (journal_register). Empty until the document is registered.
    journal = models.ForeignKey(
        "Journal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("journal"),
    )
    reg_number = models.CharField(_("registration number"), max_length=64, blank=True)
    reg_date = models.DateField(_("registration date"), null=True, blank=True)
    reg_period = models.PositiveSmallIntegerField(
        _("numbering period"), null=True, blank=True, help_text=_("Year, or 0 without reset.")
    )
    reg_sequence = models.PositiveIntegerField(_("sequence number"), null=True, blank=True)
    # Owner organisation and case: plain references, so documents never import applications.
    owner_org_id = models.PositiveBigIntegerField(_("owner organisation id"), null=True, blank=True)
    case_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_id = models.CharField(_("case id"), max_length=64, blank=True)
    case = GenericForeignKey("case_type", "case_id")
    # Print forms (print_form_request): which form, and whether its files are ready.
    form = models.CharField(_("print form"), max_length=32, blank=True)
    render_state = models.CharField(
        _("print form state"), max_length=16, choices=RenderState.choices, blank=True, default=""
    )
    render_error = models.TextField(_("rendering error"), blank=True)
    verify_code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=verify_code_new, editable=False
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case_type", "case_id"], name="document_case_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "reg_period", "reg_sequence"], name="document_journal_seq_unique"
            )
        ]

    def __str__(self):
        if self.reg_number:
            return _("%(title)s No. %(number)s") % {"title": self.title, "number": self.reg_number}
        return self.title

    @property
    def current_version(self):
        """The latest PDF or uploaded file (DOCX copies of print forms are not the document)."""
        return (
            self.versions.exclude(role=Version.Role.EDITABLE)
            .select_related("created_by")
            .order_by("-number")
            .first()
        )

    @property
    def editable_version(self):
        return self.versions.filter(role=Version.Role.EDITABLE).order_by("-number").first()


# File systems allow 255 bytes per file name, and a Cyrillic letter takes two: a stored name is
# cut to this many bytes, leaving room for the suffix the storage adds to keep names unique.
STORED_NAME_BYTES = 200


def stored_file_name(name: str) -> str:
    """The upload's name as it is kept on disk: whole if it fits, else cut to
    STORED_NAME_BYTES of UTF-8 with its extension kept. People get the original name
    (`Version.original_name`) when they download, so only the disk sees the cut."""
    if len(name.encode()) <= STORED_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension.encode()) > 16:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = STORED_NAME_BYTES - len(suffix.encode())
    return stem.encode()[:budget].decode("utf-8", "ignore") + suffix


def _version_path(instance, filename):
    return f"documents/{instance.document_id}/{instance.number}/{stored_file_name(filename)}"


class Version(models.Model):
    """A file as uploaded or rendered. Never overwritten: a new file is a new version."""

    class Role(models.TextChoices):
        ORIGINAL = "original", _("Original")
        EDITABLE = "editable", _("Editable copy (DOCX)")
        SIGNED = "signed", _("Signed")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ORIGINAL)
    file = models.FileField(_("file"), upload_to=_version_path, max_length=500)
    original_name = LineField(_("file name"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    content_type = models.CharField(_("MIME type"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


# --- Journals ---------------------------------------------------------------------------------

PATTERN_FIELDS = {"prefix", "year", "seq", "suffix"}
_PLACEHOLDER = re.compile(r"{(\w+)}")


def validate_pattern(pattern: str) -> None:
    names = set(_PLACEHOLDER.findall(pattern))
    unknown = names - PATTERN_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s; use {prefix}, {year}, {seq} and {suffix}.")
            % {"names": ", ".join(sorted("{" + n + "}" for n in unknown))}
        )
    if "seq" not in names:
        raise ValidationError(_("The number format must contain {seq}."))


class Journal(TimeStamped):
    """A registration journal: one per document kind (code) and programme (scope)."""

    code = models.CharField(_("journal code"), max_length=32)
    scope = models.CharField(_("scope"), max_length=64, blank=True, help_text=_("Programme code."))
    title = LineField(_("title"), max_length=limits.LINE, blank=True)
    prefix = models.CharField(_("prefix"), max_length=32, blank=True)
    suffix = models.CharField(_("suffix"), max_length=32, blank=True)
    pattern = models.CharField(
        _("number format"),
        max_length=64,
        default="{seq}",
        validators=[validate_pattern],
        help_text=_(
            "Placeholders {prefix}, {year}, {seq}, {suffix}; the separators are written between "
            "them, e.g. {prefix}-{year}/{seq} or {seq}-{suffix}."
        ),
    )
    padding = models.PositiveSmallIntegerField(
        _("digits of the sequence"), default=0, help_text=_("0 writes the number as it is.")
    )
    yearly_reset = models.BooleanField(_("restart numbering every year"), default=True)

    class Meta:
        verbose_name = _("registration journal")
        verbose_name_plural = _("registration journals")
        ordering = ["scope", "code"]
        constraints = [models.UniqueConstraint(fields=["code", "scope"], name="journal_unique")]

    def __str__(self):
        label = self.title or self.code
        return f"{label} ({self.scope})" if self.scope else label

    def clean(self):
        validate_pattern(self.pattern)
        # The longest number the format can give (the sequence is a positive integer) must fit
        # the document's registration number, or every registration in it would fail.
        longest = len(self.format_number(sequence=2_147_483_647, year=2000))
        limit = Document._meta.get_field("reg_number").max_length
        if longest > limit:
            raise ValidationError(
                _(
                    "Numbers in this format may reach %(length)s characters, and a registration "
                    "number holds %(limit)s: shorten the prefix, the suffix or the digits of "
                    "the sequence."
                )
                % {"length": longest, "limit": limit}
            )

    def format_number(self, *, sequence: int, year: int) -> str:
        seq = str(sequence).zfill(self.padding) if self.padding else str(sequence)
        values = {"prefix": self.prefix, "suffix": self.suffix, "year": str(year), "seq": seq}
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.pattern)


class JournalCounter(models.Model):
    """Last number given in a journal for one period (the year, or 0 without yearly reset)."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="counters")
    period = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("journal counter")
        verbose_name_plural = _("journal counters")
        constraints = [
            models.UniqueConstraint(fields=["journal", "period"], name="journal_counter_unique")
        ]

    def __str__(self):
        return f"{self.journal} {self.period}: {self.last_number}"


# --- Print forms ------------------------------------------------------------------------------


class PrintTemplate(TimeStamped):
    """Staff's own template of a print form, HTML (the PDF) and/or DOCX; what a row leaves
    empty comes from the shipped files."""

    form = models.CharField(_("print form"), max_length=32)
    scope = models.CharField(
        _("scope"), max_length=64, blank=True, help_text=_("Programme code; empty for all.")
    )
    html = models.TextField(
        _("HTML template"),
        blank=True,
        help_text=_(
            "Django template language; the context is listed below. Empty: the shipped one."
        ),
    )
    docx = models.BinaryField(
        _("DOCX template"),
        null=True,
        blank=True,
        help_text=_("A Word document with Jinja tags (docxtpl); empty: the shipped one."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("edited by"),
    )

    class Meta:
        verbose_name = _("print form template")
        verbose_name_plural = _("print form templates")
        ordering = ["form", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["form", "scope"], name="print_template_unique")
        ]

    def __str__(self):
        return f"{self.form} ({self.scope})" if self.scope else self.form


class RenderRequest(models.Model):
    """One request to render a print form; the task is keyed by it, so a retry renders once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="renders")
    form = models.CharField(_("print form"), max_length=32)
    context = models.JSONField(_("context"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The PDF this request rendered: a case that asks for a version per event (an application's
    # every submission) finds its file here.
    version = models.ForeignKey(
        Version,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("version rendered"),
    )
    # Renderings started, counted before each one begins, so that one whose worker is killed
    # every time (a hard time limit, out of memory) still ends FAILED after
    # DOCUMENTS_RENDER_MAX_ATTEMPTS, however often the sweep or the broker sends it again.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a message for it was last handed to the broker: the sweep sends it again only when
    # this is older than DOCUMENTS_RENDER_REQUEUE_AFTER_SECONDS, once per period.
    sent_at = models.DateTimeField(_("last sent"), default=timezone.now)

    class Meta:
        verbose_name = _("rendering request")
        verbose_name_plural = _("rendering requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.form} #{self.pk}"


# --- Signatures -------------------------------------------------------------------------------


class CertificateAuthority(TimeStamped):
    """The project's own CA for the embedded default; its key is stored encrypted."""

    name = LineField(_("name"), max_length=limits.LINE)
    certificate_pem = models.TextField(_("certificate"))
    key_encrypted = models.BinaryField(editable=False)
    next_serial_hint = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("certificate authority")
        verbose_name_plural = _("certificate authorities")

    def __str__(self):
        return self.name


class SignerCertificate(TimeStamped):
    """A signer's certificate and encrypted private key; only its owner may sign with it."""

    class Source(models.TextChoices):
        OWN_CA = "own_ca", _("Issued by Docket's CA")
        PKCS12 = "pkcs12", _("Imported PKCS#12")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signer_certificates",
        verbose_name=_("signer"),
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # Distinguished names as the certificate has them (a qualified certificate carries the
    # organisation's full name, its address, its ОГРН...): stored whole.
    subject = LineField(_("subject"))
    issuer = LineField(_("issuer"))
    serial = models.CharField(_("serial number"), max_length=80)
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    certificate_pem = models.TextField(_("certificate"))
    chain_pem = models.TextField(_("intermediate certificates"), blank=True)
    key_encrypted = models.BinaryField(editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason of revocation"), blank=True)

    class Meta:
        verbose_name = _("signer certificate")
        verbose_name_plural = _("signer certificates")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.subject} ({self.serial})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Signatory(models.Model):
    """Who is to sign a document (the chair and the secretary of a protocol, the official of an
    order). A document with signatories can be signed by them only, each once."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="signatories")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The role the signer signs in, composed by the caller ("<party>: <full name of the
    # organisation>" on an agreement): no limit, or a grant job fails on a long name.
    role = LineField(_("role"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="signatory_unique")
        ]

    def __str__(self):
        return f"{self.user} ({self.role})" if self.role else str(self.user)


class Signature(models.Model):
    """A PAdES signature applied to a version: who, when, which bytes, with which certificate."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="signatures")
    source_version = models.ForeignKey(
        Version, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed version")
    )
    signed_version = models.ForeignKey(
        Version, on_delete=models.PROTECT, related_name="+", verbose_name=_("result")
    )
    source_sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64)
    signed_sha256 = models.CharField(_("SHA-256 of the result"), max_length=64)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(
        SignerCertificate, on_delete=models.PROTECT, related_name="signatures"
    )
    field_name = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "id"]

    def __str__(self):
        return f"{self.document}: {self.signer} {self.signed_at:%d.%m.%Y %H:%M}"


class DocumentDownload(models.Model):
    """Who downloaded which version when (downloads are logged, not only permitted)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="downloads")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.user} {self.version} {self.at:%d.%m.%Y %H:%M}"
