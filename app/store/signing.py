"""Electronic signatures of the REP's outputs (Portaria 671 art. 86 as amended by 4.198/2022):
a detached CAdES-BES ``.p7s`` beside the AFD, PAdES on the PDF receipt. Both with pyHanko, from
an A1 certificate (PKCS#12 file + password); nothing here hand-rolls ASN.1.

Where the certificate comes from: the ``signing`` section of settings.json::

    {"signing": {"pkcs12_file": "/etc/pontovoz/a1.pfx", "password_file": "/etc/pontovoz/a1.pass"}}

or the CLI flags ``--certificado`` / ``--senha-arquivo``; the password may also come from the
``PONTOVOZ_PKCS12_PASSWORD`` environment variable. It is never written in settings.json itself.
"""

from __future__ import annotations

import asyncio
import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app import paths
from app.core.errors import ConfigError, PontoVozError
from app.settings import section

PASSWORD_ENV = "PONTOVOZ_PKCS12_PASSWORD"


class SigningError(PontoVozError):
    """The certificate cannot be used (missing, wrong password, expired) or signing failed."""


@dataclass(frozen=True)
class SigningSettings:
    pkcs12_file: str = ""
    password_file: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.pkcs12_file)

    @classmethod
    def load(cls, settings_file: Path | None = None) -> SigningSettings:
        try:
            found = section("signing", settings_file)
        except ConfigError as exc:
            raise SigningError(str(exc)) from exc
        return cls(str(found.get("pkcs12_file") or ""), str(found.get("password_file") or ""))

    def password(self) -> bytes:
        if self.password_file:
            try:
                return Path(self.password_file).read_bytes().rstrip(b"\r\n")
            except OSError as exc:
                raise SigningError(f"não foi possível ler a senha do certificado: {exc}") from exc
        return os.environ.get(PASSWORD_ENV, "").encode("utf-8")


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime


class A1Certificate:
    """A PKCS#12 (A1) certificate loaded once, checked for validity, able to sign."""

    def __init__(self, pkcs12: bytes, password: bytes, now: datetime | None = None) -> None:
        from cryptography.hazmat.primitives.serialization import pkcs12 as p12
        from pyhanko.sign import signers

        try:
            key, cert, _chain = p12.load_key_and_certificates(pkcs12, password or None)
        except ValueError as exc:
            raise SigningError(
                "não foi possível abrir o certificado A1: senha errada ou arquivo que não é "
                "PKCS#12 (.pfx/.p12)"
            ) from exc
        if key is None or cert is None:
            raise SigningError("o arquivo PKCS#12 não contém chave privada e certificado")
        now = now or datetime.now(UTC)
        self.info = CertificateInfo(
            cert.subject.rfc4514_string(),
            cert.issuer.rfc4514_string(),
            cert.not_valid_before_utc,
            cert.not_valid_after_utc,
        )
        if now > self.info.not_after:
            raise SigningError(f"certificado vencido em {self.info.not_after:%d/%m/%Y}: renove-o")
        if now < self.info.not_before:
            raise SigningError(
                f"certificado só vale a partir de {self.info.not_before:%d/%m/%Y %H:%M} UTC"
            )
        signer = signers.SimpleSigner.load_pkcs12_data(
            pkcs12, other_certs=[], passphrase=password or None
        )
        if signer is None:
            raise SigningError("o pyHanko não conseguiu carregar o certificado A1")
        self._signer = signer

    @classmethod
    def from_file(cls, path: Path, password: bytes) -> A1Certificate:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SigningError(f"certificado A1 não encontrado ou ilegível: {path}") from exc
        return cls(data, password)

    @classmethod
    def from_settings(cls, settings: SigningSettings) -> A1Certificate:
        if not settings.configured:
            raise SigningError(
                "certificado A1 não configurado: informe --certificado ARQUIVO.pfx ou a seção "
                "'signing' de settings.json"
            )
        return cls.from_file(Path(settings.pkcs12_file), settings.password())

    def sign_detached(self, data: bytes) -> bytes:
        """DER CMS SignedData, detached, with CAdES-BES signed attributes (content type,
        message digest, signing time, signing-certificate-v2)."""
        info = asyncio.run(
            self._signer.async_sign_general_data(data, "sha256", detached=True, use_cades=True)
        )
        return info.dump()

    def sign_pdf(self, pdf: bytes, reason: str = "Comprovante de Registro de Ponto") -> bytes:
        """The PDF with a PAdES (ETSI.CAdES.detached) signature added incrementally."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        meta = signers.PdfSignatureMetadata(
            field_name="AssinaturaREP",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            md_algorithm="sha256",
        )
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
            out = signers.sign_pdf(writer, meta, signer=self._signer)
        except Exception as exc:  # pyHanko raises many kinds; the message is what IT needs
            raise SigningError(f"não foi possível assinar o PDF: {exc}") from exc
        return out.getvalue()


def sign_afd_file(afd_path: Path, cert: A1Certificate) -> Path:
    """Write ``<stem>.p7s`` beside the AFD; returns its path."""
    out = afd_path.with_suffix(".p7s")
    return paths.write_private(out, cert.sign_detached(afd_path.read_bytes()))


@dataclass(frozen=True)
class SignatureCheck:
    intact: bool  # the signature covers exactly these bytes
    trusted: bool  # the signer chains to one of the given roots
    signer: str
    signed_at: datetime | None


def check_detached(data: bytes, p7s: bytes, roots_pem: list[bytes] | None = None) -> SignatureCheck:
    """Check a detached ``.p7s`` against the data it signs (pyHanko's validator); ``trusted``
    only means something when ``roots_pem`` holds the CA certificates to trust."""
    from asn1crypto import cms, pem, x509
    from pyhanko.sign.validation import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    try:
        info = cms.ContentInfo.load(p7s)
        signed = info["content"]
        _ = signed["signer_infos"]
    except Exception as exc:  # asn1crypto raises ValueError/TypeError on garbage
        raise SigningError(f"o arquivo .p7s não é uma assinatura CMS válida: {exc}") from exc
    roots = []
    for blob in roots_pem or []:
        der = pem.unarmor(blob)[2] if pem.detect(blob) else blob
        roots.append(x509.Certificate.load(der))
    ctx = ValidationContext(trust_roots=roots, allow_fetching=False)
    status = asyncio.run(async_validate_detached_cms(data, signed, signer_validation_context=ctx))
    return SignatureCheck(
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly,
        signed_at=status.signer_reported_dt,
    )
