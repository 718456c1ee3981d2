"""Keys, certificates and PAdES: the cryptography behind signed documents.

Private keys are stored encrypted (Fernet) with a key from DOCUMENTS_KEY_ENCRYPTION_KEY; only
`documents.services` decrypts them, and only for their owner.
"""

import base64
import datetime
import functools
import hashlib
import io
import shutil
import subprocess
from dataclasses import dataclass, field

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.text import Truncator

KEY_SIZE = 3072
CA_YEARS = 10
SIGNER_YEARS = 3


def _fernet() -> Fernet:
    # The embedded default derives it from SECRET_KEY; production requires its own variable
    # (config/settings/production.py), so rotating SECRET_KEY does not lock the keys away.
    secret = settings.DOCUMENTS_KEY_ENCRYPTION_KEY or settings.SECRET_KEY
    if not secret:
        raise ImproperlyConfigured("DOCUMENTS_KEY_ENCRYPTION_KEY is not set.")
    # A key committed to the repository protects nothing: only a demo may use it.
    if secret in settings.PUBLIC_DEVELOPMENT_KEYS and not settings.DOCKET_DEMO_SETTINGS:
        raise ImproperlyConfigured(
            "The signers' private keys would be encrypted with the public development key of "
            "config/settings/local.py: set DOCUMENTS_KEY_ENCRYPTION_KEY to a random string of "
            "at least 32 characters."
        )
    # Any string works: it is stretched to the 32 bytes Fernet needs.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def key_encrypt(private_key) -> bytes:
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _fernet().encrypt(der)


def key_decrypt(blob: bytes):
    try:
        der = _fernet().decrypt(bytes(blob))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored private key cannot be decrypted: DOCUMENTS_KEY_ENCRYPTION_KEY has changed."
        ) from exc
    # The key was validated when it was made or imported; the Fernet token authenticates it
    # since, so the costly RSA consistency check (tens of ms for 3072 bits) is not redone on
    # every signature.
    return serialization.load_der_private_key(
        der, password=None, unsafe_skip_rsa_key_validation=True
    )


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def cert_load(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def certs_load_all(pem: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem.encode()) if pem.strip() else []


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _utf8_cut(value: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, cut between letters."""
    return value.encode()[:limit].decode("utf-8", "ignore").strip()


def _name(
    common_name: str, organisation: str, *, surname: str = "", given_names: str = ""
) -> x509.Name:
    """RFC 5280 bounds a common name and an organisation to 64 characters, and cryptography
    counts the common name's in bytes of UTF-8 (a Cyrillic letter takes two), so a Russian
    name of 33 letters and more is cut there; the surname and the given names (name and
    patronymic) carry it whole, and `owner_name` prints those."""
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "RU")]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    if surname:
        parts.append(x509.NameAttribute(NameOID.SURNAME, surname))
    if given_names:
        parts.append(x509.NameAttribute(NameOID.GIVEN_NAME, given_names))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, _utf8_cut(common_name, 64)))
    return x509.Name(parts)


def ca_create(*, name: str, now: datetime.datetime):
    """A self-signed root that may only sign end-entity certificates (path length 0)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    subject = _name(name, name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # Back-dated a year: signer certificates carry their own validity, and a CA made today
        # must still anchor certificates issued at an earlier simulated or restored time
        # (`simulate_lifecycle` on a database whose CA seed_demo made).
        .not_valid_before(now - datetime.timedelta(days=366))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def signer_issue(
    *,
    ca_key,
    ca_cert: x509.Certificate,
    common_name: str,
    organisation: str,
    email: str,
    now,
    surname: str = "",
    given_names: str = "",
):
    """An end-entity certificate for signing documents (non-repudiation, document signing)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation, surname=surname, given_names=given_names))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(
            min(now + datetime.timedelta(days=365 * SIGNER_YEARS), ca_cert.not_valid_after_utc)
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [
                    ExtendedKeyUsageOID.EMAIL_PROTECTION,
                    x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
    )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def pkcs12_read(data: bytes, password: bytes | None):
    """(key, certificate, extra certificates) of a PKCS#12 file; ValueError when unreadable."""
    key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    if key is None or cert is None:
        raise ValueError("The PKCS#12 file holds no private key or no certificate.")
    return key, cert, list(extra or [])


def subject_text(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


# --- PAdES ------------------------------------------------------------------------------------


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


# Room kept in the PDF for the CMS container (signer's certificate, the chain, a 3072-bit RSA
# signature, the signed attributes: about 5 KB). Reserving it saves pyHanko's trial signature
# that would otherwise measure it.
SIGNATURE_BYTES_RESERVED = 16 * 1024


def _loaded_key_signer():
    """pyHanko's SimpleSigner re-parses (and re-validates) its key from DER on every raw
    signature; this one signs with the key object already loaded."""
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class LoadedKeySigner(signers.SimpleSigner):
        def __init__(self, *, loaded_key, **kwargs):
            super().__init__(**kwargs)
            self.loaded_key = loaded_key

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                algo = mechanism.signature_algo
            except ValueError:
                algo = mechanism["algorithm"].native
            if algo != "rsassa_pkcs1v15":
                return super().sign_raw(data, digest_algorithm)
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            return self.loaded_key.sign(data, PKCS1v15(), hash_algo)

    return LoadedKeySigner


# --- The visible mark of the signature (ГОСТ Р 7.0.97-2025, «отметка об электронной подписи») ---

STAMP_HEADER = "Документ подписан электронной подписью"
STAMP_FONT_FAMILY = "DejaVu Sans"

_MM = 72 / 25.4
# Stamps sit in the print forms' bottom margin (20 mm, documents/printforms/base.html), aligned
# with the text column (left 25 mm, right 10 mm): two side by side per row, rows stacked upward
# by the signature's ordinal. The first row fits inside the margin, so it never covers text.
STAMP_LEFT = 25 * _MM
STAMP_RIGHT = 10 * _MM
STAMP_BOTTOM = 5 * _MM
STAMP_HEIGHT = 14.5 * _MM
STAMP_GAP = 4 * _MM
STAMP_COLUMNS = 2
STAMP_COLOR = (0.1, 0.2, 0.55)
# Drawn at this size, then scaled down to the frame as a whole (about 6.5-7.5 pt on the page).
STAMP_FONT_SIZE = 10
# The position (or the role signed in, which may name a whole organisation) takes one line of
# the mark, cut with "…": a longer line would shrink every line of the mark to nothing.
STAMP_POSITION_CHARS = 60


def _fontconfig_file(family: str) -> str:
    if not shutil.which("fc-match"):
        return ""
    done = subprocess.run(
        ["fc-match", "-f", "%{file}", family],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=10,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


@functools.cache
def _stamp_font(configured: str) -> str:
    path = configured or _fontconfig_file(STAMP_FONT_FAMILY)
    problem = ""
    if not path:
        problem = f"fontconfig finds no {STAMP_FONT_FAMILY}"
    elif not path.lower().endswith((".ttf", ".otf")):
        problem = f"{path} is not a single TrueType/OpenType file"
    else:
        from fontTools.ttLib import TTFont

        try:
            cmap = TTFont(path, lazy=True).getBestCmap() or {}
        except Exception as exc:  # unreadable file: say which one
            cmap, problem = {}, f"{path} cannot be read ({exc})"
        if not problem and not all(ord(c) in cmap for c in set(STAMP_HEADER) - {" "}):
            # fc-match answers with its nearest font even when DejaVu is not installed.
            problem = f"{path} has no Cyrillic glyphs"
    if problem:
        raise ImproperlyConfigured(
            f"No font for the signature stamp: {problem}. Install fonts-dejavu-core or set "
            "DOCUMENTS_STAMP_FONT to a .ttf/.otf file with Cyrillic."
        )
    return path


def stamp_font_file() -> str:
    """The embedded font of the stamp: DOCUMENTS_STAMP_FONT, else fontconfig's DejaVu Sans (the
    family WeasyPrint falls back to). Looked up once per process."""
    return _stamp_font(settings.DOCUMENTS_STAMP_FONT)


def owner_name(cert: x509.Certificate) -> str:
    """The certificate's owner as a person: surname and given names (qualified certificates of
    officials carry the organisation in CN), else the common name."""
    surname = cert.subject.get_attributes_for_oid(NameOID.SURNAME)
    given = cert.subject.get_attributes_for_oid(NameOID.GIVEN_NAME)
    if surname:
        return " ".join(str(a[0].value) for a in (surname, given) if a)
    return common_name(cert)


def stamp_lines(*, cert: x509.Certificate, position: str = "") -> list[str]:
    """The mark's text: the phrase, the certificate's serial (hex, as on the verification page),
    its owner (and position when known) and its validity in local dates."""
    valid_from = timezone.localtime(cert.not_valid_before_utc).date()
    valid_until = timezone.localtime(cert.not_valid_after_utc).date()
    lines = [
        STAMP_HEADER,
        f"Сертификат: {format(cert.serial_number, 'x')}",
        f"Владелец: {owner_name(cert)}",
    ]
    if position:
        lines.append(Truncator(" ".join(position.split())).chars(STAMP_POSITION_CHARS))
    lines.append(f"Действителен: с {valid_from:%d.%m.%Y} по {valid_until:%d.%m.%Y}")
    return lines


def stamp_box(*, ordinal: int, mediabox) -> tuple[float, float, float, float]:
    """(llx, lly, urx, ury) of the `ordinal`-th (0-based) stamp on a page with `mediabox`."""
    llx, lly, urx, _ury = (float(v) for v in mediabox)
    width = (urx - llx - STAMP_LEFT - STAMP_RIGHT - STAMP_GAP * (STAMP_COLUMNS - 1)) / STAMP_COLUMNS
    row, column = divmod(ordinal, STAMP_COLUMNS)
    x = llx + STAMP_LEFT + column * (width + STAMP_GAP)
    y = lly + STAMP_BOTTOM + row * (STAMP_HEIGHT + STAMP_GAP)
    return (round(x, 2), round(y, 2), round(x + width, 2), round(y + STAMP_HEIGHT, 2))


# What a stamp may need to print: Latin with its extensions, Cyrillic with its supplement,
# general punctuation and №. Anything else shows as the font's empty box.
STAMP_FONT_UNICODES = [
    *range(0x20, 0x250),
    *range(0x400, 0x530),
    *range(0x2000, 0x2070),
    0x2116,
]


@functools.cache
def _font_program(path: str) -> bytes:
    """The font cut down once per process to what a stamp prints, without layout tables
    (GSUB/GPOS: no ligatures or kerning in a stamp) or hinting. pyHanko subsets the font again
    for every signature, and on the whole of DejaVu Sans that costs a few hundred ms."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(layout_closure=False, hinting=False, notdef_outline=True)
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM"]
    options.name_IDs = ["*"]
    font = TTFont(path)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=STAMP_FONT_UNICODES)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _stamp_font_factory():
    """pyHanko's embedded-font engine, with two repairs.

    pyHanko 0.38 writes the widths (/W) of a TrueType subset in the font's own units, where PDF
    wants thousandths of an em; DejaVu has 2048 units per em, so viewers would draw the letters
    twice as far apart as pyHanko measured them. Its factory also opens the font file for every
    signature and never closes it; here the font is read (and cut down) once per process.
    """
    from pyhanko.pdf_utils.font.api import FontEngineFactory
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

    class PerMilleWidths(GlyphAccumulator):
        def prepare_write(self):
            measured = self._glyphs  # (cid, width in font units) by glyph id; layout uses them
            scale = 1000 / self.units_per_em
            self._glyphs = {g: (cid, round(w * scale)) for g, (cid, w) in measured.items()}
            try:
                super().prepare_write()
            finally:
                self._glyphs = measured

    class Factory(FontEngineFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs:
                obj_stream = writer.prepare_object_stream()
            return PerMilleWidths(
                writer=writer,
                font_handle=io.BytesIO(_font_program(stamp_font_file())),
                font_size=STAMP_FONT_SIZE,
                obj_stream=obj_stream,
            )

    return Factory()


def _stamp_style(lines: int):
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        # Placeholders, not the text itself: a `%` in a name must not break the template.
        stamp_text="\n".join(f"%(line{n})s" for n in range(lines)),
        text_box_style=TextBoxStyle(
            # The engine's size and the box's must agree, or lines after the first drift.
            font=_stamp_font_factory(),
            font_size=STAMP_FONT_SIZE,
            leading=STAMP_FONT_SIZE + 1,
            text_color=STAMP_COLOR,
            # The stamp's own margins below are the only ones (the text box adds 10 by default).
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MIN,
            ),
        ),
        # Long names and positions shrink the text to the frame rather than run out of it.
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=5, right=5, top=3, bottom=3),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
        border_width=1,
        border_color=STAMP_COLOR,
        background=None,
    )


def pades_sign(
    *,
    pdf: bytes,
    private_key,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    field_name: str,
    signer_name: str,
    signer_position: str = "",
    location: str = "",
    reason: str = "",
) -> bytes:
    """Sign with an incremental update (keeps the PDF/A original intact), PAdES baseline B.

    The signature gets its own visible field on the last page with the mark of an electronic
    signature; its place follows the signature fields already in the file, so co-signers' marks
    do not overlap."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key_der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = _loaded_key_signer()(
        loaded_key=private_key,
        signing_cert=_asn1_cert(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=signer_name,
        location=location or None,
        reason=reason or None,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    ordinal = sum(1 for _field in fields.enumerate_sig_fields(writer))
    page_ref, _resources = writer.find_page_for_modification(-1)
    mediabox = find_inherited_value_in_tree(page_ref.get_object(), "/MediaBox", "/Parent")
    lines = stamp_lines(cert=cert, position=signer_position)
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=_stamp_style(len(lines)),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=-1,
            box=stamp_box(ordinal=ordinal, mediabox=mediabox),
        ),
    )
    out = pdf_signer.sign_pdf(
        writer,
        bytes_reserved=SIGNATURE_BYTES_RESERVED,
        appearance_text_params={f"line{n}": text for n, text in enumerate(lines)},
    )
    return out.getvalue()


class PdfUnreadable(ValueError):
    """The bytes are not a PDF pyHanko can read (damaged, cut short, or not a PDF at all)."""


# After a signature, later revisions may only add signatures (and fill their fields): pyHanko's
# difference analysis calls that FORM_FILLING at most.
_SIGNING_ONLY_LEVELS = {"NONE", "LTA_UPDATES", "FORM_FILLING"}


@dataclass
class SignatureCheck:
    field_name: str
    signer_subject: str
    serial: str
    fingerprint: str
    signed_at: datetime.datetime | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    problems: list[str] = field(default_factory=list)
    # What came after the signature (pyHanko's ModificationLevel name; "" when unknown).
    modification_level: str = ""
    docmdp_ok: bool = False

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.problems


def _coverage_problems(results: list[SignatureCheck]) -> None:
    """A signature that does not cover the whole file vouches only for its own revision. It
    still holds for the file when what was added after it is only signing (pyHanko's
    difference analysis) and a valid signature covers the whole file; otherwise the file was
    changed after signing, and the signature is reported as not covering it ("not_whole_file").
    """
    sealed = any(c.covers_whole_file and c.intact and c.valid and c.trusted for c in results)
    for check in results:
        if check.covers_whole_file or not check.intact:
            continue
        only_signing = check.modification_level in _SIGNING_ONLY_LEVELS and check.docmdp_ok
        if not (sealed and only_signing):
            check.problems.append("not_whole_file")


def pades_validate(*, pdf, trust_roots: list[x509.Certificate]) -> list[SignatureCheck]:
    """Validate every embedded signature with pyHanko against our trust roots (offline).

    `pdf` is the bytes or a binary file object (read in place, not copied into memory).
    Raises PdfUnreadable when the file cannot be read as a PDF at all."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    stream = io.BytesIO(pdf) if isinstance(pdf, bytes | bytearray) else pdf
    try:
        reader = PdfFileReader(stream, strict=False)
        embedded_signatures = list(reader.embedded_signatures)
    except Exception as exc:  # PdfReadError, or whatever a crafted file makes the parser hit
        raise PdfUnreadable(str(exc)) from exc
    results = []
    for embedded in embedded_signatures:
        context = ValidationContext(
            trust_roots=[_asn1_cert(c) for c in trust_roots], allow_fetching=False
        )
        try:
            crypto_cert = x509.load_der_x509_certificate(embedded.signer_cert.dump())
            status = validate_pdf_signature(embedded, context)
        except Exception as exc:  # a broken or altered signature is an invalid signature
            results.append(
                SignatureCheck(
                    field_name=embedded.field_name,
                    signer_subject="",
                    serial="",
                    fingerprint="",
                    signed_at=None,
                    intact=False,
                    valid=False,
                    trusted=False,
                    covers_whole_file=False,
                    problems=[str(exc)],
                )
            )
            continue
        coverage = getattr(status, "coverage", None)
        covers_whole = coverage is not None and coverage.name == "ENTIRE_FILE"
        level = status.modification_level
        results.append(
            SignatureCheck(
                field_name=embedded.field_name,
                signer_subject=subject_text(crypto_cert),
                serial=format(crypto_cert.serial_number, "x"),
                fingerprint=fingerprint(crypto_cert),
                signed_at=embedded.self_reported_timestamp,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                covers_whole_file=covers_whole,
                modification_level=level.name if level is not None else "",
                docmdp_ok=bool(status.docmdp_ok),
            )
        )
    _coverage_problems(results)
    return results
