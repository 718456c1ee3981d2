"""Keys, certificates and PAdES: the cryptography behind signed documents.

Private keys are stored encrypted (Fernet) with a key from DOCUMENTS_KEY_ENCRYPTION_KEY; only
`documents.services` decrypts them, and only for their owner.
"""

import base64
import datetime
import hashlib
import io
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

KEY_SIZE = 3072
CA_YEARS = 10
SIGNER_YEARS = 3


def _fernet() -> Fernet:
    # The embedded default derives it from SECRET_KEY; production requires its own variable
    # (config/settings/production.py), so rotating SECRET_KEY does not lock the keys away.
    secret = settings.DOCUMENTS_KEY_ENCRYPTION_KEY or settings.SECRET_KEY
    if not secret:
        raise ImproperlyConfigured("DOCUMENTS_KEY_ENCRYPTION_KEY is not set.")
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


def _name(common_name: str, organisation: str) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "RU")]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
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
    *, ca_key, ca_cert: x509.Certificate, common_name: str, organisation: str, email: str, now
):
    """An end-entity certificate for signing documents (non-repudiation, document signing)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
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


def pades_sign(
    *,
    pdf: bytes,
    private_key,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    field_name: str,
    signer_name: str,
    location: str = "",
    reason: str = "",
) -> bytes:
    """Sign with an incremental update (keeps the PDF/A original intact), PAdES baseline B."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
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
    out = signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=SIGNATURE_BYTES_RESERVED)
    return out.getvalue()


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

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.problems


def pades_validate(*, pdf: bytes, trust_roots: list[x509.Certificate]) -> list[SignatureCheck]:
    """Validate every embedded signature with pyHanko against our trust roots (offline)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    results = []
    for embedded in reader.embedded_signatures:
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
            )
        )
    return results
