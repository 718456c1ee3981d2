"""PAdES signatures: made with the signer's own key only, accepted by pyHanko and by poppler's
pdfsig (an independent validator), broken by a single changed byte, refused once revoked, and
shown on the last page as the mark «Документ подписан электронной подписью»."""

import datetime
import io

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.utils import timezone

from documents import pki, selectors
from documents.models import CertificateAuthority, Document, Signature, SignerCertificate, Version
from documents.services import (
    document_draft,
    document_sign,
    document_signatories_set,
    journal_register,
    print_form_request,
    signer_certificate_import,
    signer_certificate_issue,
    signer_certificate_revoke,
    trust_roots,
)
from tests.documents_helpers import (
    pdf_last_page_shown,
    pdf_signature_widgets,
    pdfsig_report,
    printform_context,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def official():
    return UserFactory(username="official", first_name="Ольга", last_name="Орлова")


@pytest.fixture
def order(official, django_capture_on_commit_callbacks):
    """A registered, rendered order waiting for the official's signature."""
    document = document_draft(kind=Document.Kind.ORDER, title="Распоряжение", author=official)
    journal_register(document=document, journal_code="order", scope="tomsk-ms")
    document_signatories_set(document=document, signers=[(official, "Начальник департамента")])
    with django_capture_on_commit_callbacks(execute=True):
        print_form_request(
            document=document, form="order", context=printform_context("order"), actor=official
        )
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.READY
    return document


def read(version: Version) -> bytes:
    with version.file.open("rb") as handle:
        return handle.read()


def test_a_signed_order_is_accepted_by_pyhanko_and_by_pdfsig_and_one_byte_breaks_it(
    order, official, tmp_path
):
    certificate = signer_certificate_issue(user=official, organisation="Департамент образования")
    unsigned = order.current_version
    signature = document_sign(document=order, signer=official)

    signed_version = Document.objects.get(pk=order.pk).current_version
    assert signed_version == signature.signed_version
    assert signed_version.role == Version.Role.SIGNED
    assert signed_version.number == unsigned.number + 2  # PDF, DOCX, signed PDF
    assert signature.source_sha256 == unsigned.sha256
    assert signature.signed_sha256 == signed_version.sha256
    assert signature.certificate == certificate and signature.signer == official
    signed = read(signed_version)
    assert signed.startswith(read(unsigned))  # an incremental update: the PDF/A is untouched

    [check] = pki.pades_validate(pdf=signed, trust_roots=trust_roots())
    assert check.ok and check.covers_whole_file
    assert "Орлова" in check.signer_subject

    # The official reads the mark of the signature on the page: phrase, serial as on /verify/,
    # owner, the role they signed in, the certificate's validity.
    shown = " ".join(pdf_last_page_shown(signed).split())
    assert "Документ подписан электронной подписью" in shown
    assert f"Сертификат: {certificate.serial}" in shown
    assert "Владелец: Орлова Ольга" in shown
    assert "Начальник департамента" in shown
    valid_from = timezone.localtime(certificate.not_before).strftime("%d.%m.%Y")
    valid_until = timezone.localtime(certificate.not_after).strftime("%d.%m.%Y")
    assert f"Действителен: с {valid_from} по {valid_until}" in shown
    [widget] = pdf_signature_widgets(signed).values()
    assert widget["flags"] & 4  # printed with the page

    report = pdfsig_report(
        signed, ca_pem=CertificateAuthority.objects.get().certificate_pem, tmp_path=tmp_path
    )
    assert "Signature is Valid." in report, report
    assert "Certificate is Trusted." in report, report
    assert "Total document signed" in report, report

    # One byte inside the signed range (the first page's content) changed.
    tampered = bytearray(signed)
    position = signed.index(b"stream", 200) + 20
    tampered[position] ^= 0x01
    [broken] = pki.pades_validate(pdf=bytes(tampered), trust_roots=trust_roots())
    assert not broken.ok
    assert not selectors.file_check(document=order, data=bytes(tampered)).genuine
    assert "Signature is Valid." not in pdfsig_report(
        bytes(tampered),
        ca_pem=CertificateAuthority.objects.get().certificate_pem,
        tmp_path=tmp_path,
    )
    # The untouched file is genuine, and is the current version.
    check = selectors.file_check(document=order, data=signed)
    assert check.genuine and check.is_current


def test_only_the_keys_owner_may_sign_and_only_a_signatory(order, official):
    intruder = UserFactory(username="intruder")
    certificate = signer_certificate_issue(user=official)
    with pytest.raises(PermissionDenied):
        document_sign(document=order, signer=intruder, certificate=certificate)
    signer_certificate_issue(user=intruder)
    with pytest.raises(PermissionDenied):
        document_sign(document=order, signer=intruder)
    assert not Signature.objects.exists()
    document_sign(document=order, signer=official)
    with pytest.raises(ValidationError):
        document_sign(document=order, signer=official)


def test_a_revoked_certificate_cannot_sign_and_its_signatures_are_reported_invalid(order, official):
    certificate = signer_certificate_issue(user=official)
    document_sign(document=order, signer=official)
    signed = read(Document.objects.get(pk=order.pk).current_version)
    assert selectors.file_check(document=order, data=signed).genuine

    signer_certificate_revoke(certificate=certificate, reason="ключ скомпрометирован")
    check = selectors.file_check(document=order, data=signed)
    assert not check.genuine
    assert check.signatures[0].revoked
    [recorded] = selectors.signatures_report(order)
    assert recorded.revoked and not recorded.valid

    second = document_draft(kind=Document.Kind.ORDER, title="Ещё одно", author=official)
    with pytest.raises(ValidationError) as info:
        document_sign(document=second, signer=official, certificate=certificate)
    assert info.value.code in {"revoked", "not_pdf"}
    with pytest.raises(ValidationError) as info:
        document_sign(document=order, signer=official, certificate=certificate)
    assert info.value.code in {"revoked", "signed_twice"}


def test_a_document_still_being_prepared_cannot_be_signed(
    official, django_capture_on_commit_callbacks
):
    signer_certificate_issue(user=official)
    document = document_draft(kind=Document.Kind.ORDER, title="Распоряжение", author=official)
    with django_capture_on_commit_callbacks(execute=False):
        print_form_request(
            document=document, form="order", context=printform_context("order"), actor=official
        )
    with pytest.raises(ValidationError) as info:
        document_sign(document=document, signer=official)
    assert info.value.code == "not_ready"


def test_keys_are_stored_encrypted_and_a_pkcs12_from_outside_can_sign(
    order, official, settings, tmp_path
):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    issued = signer_certificate_issue(user=UserFactory(username="someone"))
    assert b"PRIVATE KEY" not in bytes(issued.key_encrypted)
    key = pki.key_decrypt(issued.key_encrypted)
    settings.DOCUMENTS_KEY_ENCRYPTION_KEY = "another-secret"
    with pytest.raises(Exception, match="DOCUMENTS_KEY_ENCRYPTION_KEY"):
        pki.key_decrypt(issued.key_encrypted)
    settings.DOCUMENTS_KEY_ENCRYPTION_KEY = ""

    # An outside CA (here: a second one made on the spot) issues the official's PKCS#12.
    now = datetime.datetime.now(datetime.UTC)
    outside_key, outside_ca = pki.ca_create(name="Удостоверяющий центр", now=now)
    user_key, user_cert = pki.signer_issue(
        ca_key=outside_key,
        ca_cert=outside_ca,
        common_name="Орлова Ольга",
        organisation="",
        email="",
        now=now,
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"official", user_key, user_cert, [outside_ca], BestAvailableEncryption(b"secret")
    )
    with pytest.raises(ValidationError):
        signer_certificate_import(user=official, data=p12, password=b"wrong")
    imported = signer_certificate_import(user=official, data=p12, password=b"secret")
    assert imported.source == SignerCertificate.Source.PKCS12
    assert key is not None

    signature = document_sign(document=order, signer=official)
    assert signature.certificate == imported
    signed = read(signature.signed_version)
    [untrusted] = pki.pades_validate(pdf=signed, trust_roots=trust_roots())
    assert untrusted.intact and not untrusted.trusted
    roots = tmp_path / "roots.pem"
    roots.write_text(pki.cert_pem(outside_ca))
    settings.DOCUMENTS_TRUST_ROOTS_FILE = str(roots)
    [trusted] = pki.pades_validate(pdf=signed, trust_roots=trust_roots())
    assert trusted.ok


def test_a_protocol_is_signed_by_the_chair_then_the_secretary_and_both_signatures_hold(
    django_capture_on_commit_callbacks, tmp_path
):
    chair = UserFactory(username="chair", last_name="Орлов", first_name="Андрей")
    secretary = UserFactory(username="secretary", last_name="Белова", first_name="Ирина")
    protocol = document_draft(kind=Document.Kind.PROTOCOL, title="Протокол", author=secretary)
    journal_register(document=protocol, journal_code="protocol", scope="tomsk-ms")
    document_signatories_set(
        document=protocol, signers=[(chair, "Председатель"), (secretary, "Секретарь")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        print_form_request(
            document=protocol,
            form="protocol",
            context=printform_context("protocol"),
            actor=secretary,
        )
    for person in (chair, secretary):
        signer_certificate_issue(user=person)
        document_sign(document=protocol, signer=person)
    final = read(Document.objects.get(pk=protocol.pk).current_version)
    checks = pki.pades_validate(pdf=final, trust_roots=trust_roots())
    assert [c.ok for c in checks] == [True, True]
    assert "Орлов" in checks[0].signer_subject and "Белова" in checks[1].signer_subject
    assert checks[1].covers_whole_file and not checks[0].covers_whole_file
    report = pdfsig_report(
        final, ca_pem=CertificateAuthority.objects.get().certificate_pem, tmp_path=tmp_path
    )
    assert report.count("Signature is Valid.") == 2, report
    assert selectors.file_check(document=protocol, data=final).genuine

    # Two stamps on the last page, side by side, not over each other.
    shown = pdf_last_page_shown(final)
    assert shown.count("Документ подписан электронной подписью") == 2
    assert "Орлов Андрей" in shown and "Белова Ирина" in shown
    widgets = pdf_signature_widgets(final)
    assert set(widgets) == {"Signature1", "Signature2"}
    first, second = widgets["Signature1"]["rect"], widgets["Signature2"]["rect"]
    assert not overlap(first, second), (first, second)
    assert first[2] > first[0] and first[3] > first[1]
    # Inside the print forms' 20 mm bottom margin, so they cover no text.
    assert max(first[3], second[3]) <= 20 * 72 / 25.4


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_four_signatures_get_four_stamps_that_do_not_overlap():
    from documents.printforms.render import render_pdf

    now = datetime.datetime.now(datetime.UTC)
    ca_key, ca = pki.ca_create(name="CA", now=now)
    pdf = render_pdf("<p>Договор</p>")
    for n, name in enumerate(["Иванова Мария", "Соколова Елена", "Кузнецов Константин", "Орлов"]):
        key, cert = pki.signer_issue(
            ca_key=ca_key, ca_cert=ca, common_name=name, organisation="", email="", now=now
        )
        pdf = pki.pades_sign(
            pdf=pdf,
            private_key=key,
            cert=cert,
            chain=[],
            field_name=f"Signature{n + 1}",
            signer_name=name,
        )
    rects = [w["rect"] for w in pdf_signature_widgets(pdf).values()]
    assert len(rects) == 4
    assert not any(overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    checks = pki.pades_validate(pdf=pdf, trust_roots=[ca])
    assert [c.ok for c in checks] == [True] * 4


def test_the_stamp_font_declares_widths_in_thousandths_of_an_em(order, official):
    """pyHanko wrote TrueType widths in font units (2048 per em for DejaVu), which spread the
    letters of the stamp apart in every viewer; the embedded subset's /W must match its hmtx."""
    from fontTools.ttLib import TTFont

    signer_certificate_issue(user=official)
    signature = document_sign(document=order, signer=official)
    [widget] = pdf_signature_widgets(read(signature.signed_version)).values()
    cid_font = widget["font"]["/DescendantFonts"][0].get_object()
    program = TTFont(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile2"].get_object().get_data()))
    per_em = program["head"].unitsPerEm
    order_of_glyphs = program.getGlyphOrder()
    widths = list(cid_font["/W"])
    checked = 0
    for first, run in zip(widths[::2], widths[1::2], strict=True):
        for cid, width in enumerate(run, start=int(first)):
            advance, _lsb = program["hmtx"][order_of_glyphs[cid]]
            assert int(width) == round(advance * 1000 / per_em), order_of_glyphs[cid]
            checked += 1
    assert checked > 20


def test_a_stamp_font_without_cyrillic_is_refused_with_advice(settings, tmp_path):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    settings.DOCUMENTS_STAMP_FONT = str(broken)
    with pytest.raises(ImproperlyConfigured, match="DOCUMENTS_STAMP_FONT"):
        pki.stamp_font_file()
    settings.DOCUMENTS_STAMP_FONT = ""
    assert pki.stamp_font_file().endswith(".ttf")


def test_a_signed_file_altered_in_storage_shows_its_signature_invalid(order, official):
    signer_certificate_issue(user=official)
    document_sign(document=order, signer=official)
    [report] = selectors.signatures_report(order)
    assert report.valid
    stored = Document.objects.get(pk=order.pk).current_version
    data = bytearray(read(stored))
    data[data.index(b"stream", 200) + 20] ^= 1
    with open(stored.file.path, "wb") as handle:
        handle.write(bytes(data))
    [report] = selectors.signatures_report(order)
    assert not report.valid and "altered" in report.problems
