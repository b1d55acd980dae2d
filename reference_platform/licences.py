"""The licence store (电子证照库) of the reference platform: signed sample PDFs, per-print QR
tokens, revocation, print reports.

At first use the store makes a test PKI (a root "trust anchor" and an issuer certificate,
ECDSA P-256, valid for a year from today) and, for every holder it is given, one licence per
type: an A4 PDF drawn with reportlab (a CJK TrueType font, embedded) carrying the licence's
metadata in its document information dictionary (GB/T 36903 names, `/Gov...` keys), then
signed by the issuer with pyhanko (PAdES baseline B, the whole file covered) when first fetched
(a search signs nothing; `warm_up()` signs them all ahead, as the demo does). The kiosk
verifies that signature against the root (`[certificates] trust_anchor`; `root_pem()` here).

Stand-in limits: kept in memory (a restart makes new keys and documents); the sample PDFs and
keys are cached per process and day so that tests starting many platforms pay for them once.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

# Traditional-Chinese titles for the zh_HK screens (the documents themselves are in Simplified Chinese).
TITLES_ZH_HK = {"marriage_record": "婚姻登記記錄證明", "household_registration": "戶籍證明",
                "social_insurance_record": "社會保險參保繳費記錄"}
LICENCE_TYPES = {
    # type code -> (Chinese title, English title, issuing authority)
    "marriage_record": ("婚姻登记记录证明", "Marriage registration record", "示例市民政局婚姻登记处"),
    "household_registration": ("户籍证明", "Household registration certificate", "示例市公安局户政管理科"),
    "social_insurance_record": ("社会保险参保缴费记录", "Social insurance contribution record",
                                "示例市社会保险基金管理局"),
}
_FONT_CANDIDATES = ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",   # 4 MB: quick to load
                    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf")


@dataclass(frozen=True)
class Holder:
    id_number: str
    name: str


@dataclass
class Licence:
    licence_id: str           # opaque, random
    licence_type: str
    number: str               # 证照编号 (printed on the document)
    holder_id: str
    holder_name: str
    issuer: str
    issue_date: str
    expiry_date: str          # YYYY-MM-DD or 长期
    pdf_bytes: bytes | None = None   # None: signed at first use (a search signs nothing)
    revoked: bool = False

    @property
    def pdf(self) -> bytes:
        """The issuer-signed PDF (sample licences are signed when first asked for, then cached)."""
        if self.pdf_bytes is None:
            self.pdf_bytes = _signed_sample(dt.date.fromisoformat(self.issue_date), self.licence_type,
                                            Holder(self.holder_id, self.holder_name), self.number,
                                            self.licence_id, self.expiry_date)
        return self.pdf_bytes

    def summary(self) -> dict:
        """What the list endpoint shows: no ID number, no document."""
        zh, en, _ = LICENCE_TYPES[self.licence_type]
        return {"licence_id": self.licence_id, "licence_type": self.licence_type, "title_zh": zh,
                "title_zh_hk": TITLES_ZH_HK[self.licence_type], "title_en": en,
                "issuer": self.issuer, "issue_date": self.issue_date, "expiry_date": self.expiry_date,
                "status": "revoked" if self.revoked else "valid"}


@dataclass
class PrintToken:
    token: str
    licence_id: str
    kiosk_id: str
    minted_at: str
    printed: dict = field(default_factory=dict)    # filled by the print report


# --- test PKI --------------------------------------------------------------------------------

_PKI_LOCK = threading.Lock()
_PKI: dict[dt.date, tuple[bytes, bytes, bytes]] = {}


def sample_pki(day: dt.date) -> tuple[bytes, bytes, bytes]:
    """(root certificate DER, issuer certificate DER, issuer private key PKCS#8 DER) for `day`: made once
    per process and day, under a lock (two threads must never get two different PKIs)."""
    with _PKI_LOCK:
        if day not in _PKI:
            _PKI[day] = _make_pki(day)
        return _PKI[day]


def _make_pki(day: dt.date) -> tuple[bytes, bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    start = dt.datetime.combine(day, dt.time(), dt.timezone.utc) - dt.timedelta(days=1)
    end = start + dt.timedelta(days=366)
    root_key = ec.generate_private_key(ec.SECP256R1())
    issuer_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                           x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Reference platform (TEST ONLY)"),
                           x509.NameAttribute(NameOID.COMMON_NAME, "Test e-licence root CA")])
    issuer_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Reference platform (TEST ONLY)"),
                             x509.NameAttribute(NameOID.COMMON_NAME, "Test e-licence issuer")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    issuer = (x509.CertificateBuilder().subject_name(issuer_name).issuer_name(root_name)
              .public_key(issuer_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(start).not_valid_after(end)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
              .sign(root_key, hashes.SHA256()))
    key_der = issuer_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    return (root.public_bytes(serialization.Encoding.DER), issuer.public_bytes(serialization.Encoding.DER), key_der)


def pem(der: bytes) -> bytes:
    import base64
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n").encode()


def make_signer(cert_der: bytes, key_der: bytes, root_der: bytes):
    from asn1crypto import keys, x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    return signers.SimpleSigner(signing_cert=x509.Certificate.load(cert_der),
                                signing_key=keys.PrivateKeyInfo.load(key_der),
                                cert_registry=SimpleCertificateStore.from_certs([x509.Certificate.load(root_der)]))


def sign_pdf(pdf: bytes, signer) -> bytes:
    """PAdES signature over the whole file (pyhanko)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    meta = signers.PdfSignatureMetadata(field_name="IssuerSignature", subfilter=SigSeedSubFilter.PADES,
                                        reason="电子证照签发 / e-licence issuance")
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer, output=out)
    return out.getvalue()


# --- documents -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    for path in _FONT_CANDIDATES:
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont("LicenceCJK", path))
            return "LicenceCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))   # not embedded: the viewer's font
    return "STSong-Light"


def _draw_mixed(c, x: float, y: float, text: str, font: str, size: float, centred_width: float | None = None) -> None:
    """Latin runs in Helvetica, the rest in the CJK font (the fallback CJK font has no Latin glyphs)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    runs: list[tuple[str, str]] = []
    for ch in text:
        face = "Helvetica" if ord(ch) < 0x2E80 else font
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + ch)
        else:
            runs.append((face, ch))
    width = sum(stringWidth(run, face, size) for face, run in runs)
    if centred_width is not None:
        x = x + (centred_width - width) / 2
    for face, run in runs:
        c.setFont(face, size)
        c.drawString(x, y, run)
        x += stringWidth(run, face, size)


def render_licence_pdf(licence: Licence, pages: int = 1) -> bytes:
    """The licence as an A4 PDF; its metadata in the document information dictionary."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    zh, en, _ = LICENCE_TYPES[licence.licence_type]
    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(f"{zh} {licence.number}")
    c.setAuthor(licence.issuer)
    c.setSubject(en)
    info = c._doc.info   # reportlab keeps the Info dictionary here; the extra keys are GB/T 36903 metadata
    extra = {"GovLicenceType": licence.licence_type, "GovLicenceNumber": licence.number,
             "GovHolderId": licence.holder_id, "GovIssuer": licence.issuer, "GovIssueDate": licence.issue_date,
             "GovExpiryDate": licence.expiry_date, "GovLicenceId": licence.licence_id}
    original_format = info.format

    def format_with_extra(document, _original=original_format, _extra=extra):
        from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFString
        base = _original(document)
        dictionary = PDFDictionary({k: PDFString(v) for k, v in _extra.items()})
        return base[:-2] + dictionary.format(document)[2:]   # merge: drop ">>" of one and "<<" of the other
    info.format = format_with_extra
    width, height = A4
    for page in range(pages):
        _draw_mixed(c, 0, height - 110, zh, font, 22, centred_width=width)
        _draw_mixed(c, 0, height - 132, en, font, 11, centred_width=width)
        rows = [("证照编号 No.", licence.number), ("持证人 Holder", licence.holder_name),
                ("公民身份号码 ID number", licence.holder_id), ("颁发机构 Issuer", licence.issuer),
                ("颁发日期 Issued", licence.issue_date), ("有效期至 Valid until", licence.expiry_date)]
        y = height - 200
        for label, value in rows:
            _draw_mixed(c, 80, y, label, font, 12)
            _draw_mixed(c, 260, y, value, font, 12)
            y -= 28
        _draw_mixed(c, 80, y - 20, "兹证明以上信息与登记档案一致。 Matches the register.", font, 11)
        _draw_mixed(c, 80, 140, f"{licence.issuer}（电子签章）", font, 11)
        _draw_mixed(c, 80, 120, f"第 {page + 1} 页 / 共 {pages} 页  Page {page + 1} of {pages}", font, 11)
        c.rect(60, 100, width - 120, height - 160)
        c.showPage()
    c.save()
    return buf.getvalue()


@functools.lru_cache(maxsize=64)
def _signed_sample(day: dt.date, licence_type: str, holder: Holder, number: str, licence_id: str,
                   expiry: str) -> bytes:
    _, _, issuer = LICENCE_TYPES[licence_type]
    lic = Licence(licence_id, licence_type, number, holder.id_number, holder.name, issuer, day.isoformat(),
                  expiry)
    root, cert, key = sample_pki(day)
    pages = 2 if licence_type == "social_insurance_record" else 1
    return sign_pdf(render_licence_pdf(lic, pages), make_signer(cert, key, root))


class LicenceStore:
    """In-memory licences per holder, print tokens and print reports. Thread-safe."""

    def __init__(self, holders: list[Holder] | None = None, *, today: dt.date | None = None):
        self._today = today or dt.date.today()
        self._lock = threading.Lock()
        self._holders = list(holders) if holders is not None else None
        self._licences: dict[str, Licence] | None = None
        self._tokens: dict[str, PrintToken] = {}
        self._reports: dict[str, dict] = {}

    def warm_up(self, background: bool = True) -> None:
        """Sign the sample documents now (~3 s of CPU once per process) instead of at the first fetch."""
        def sign_all() -> None:
            for licence in list(self._all().values()):
                licence.pdf
        if background:
            threading.Thread(target=sign_all, name="licence-warm-up", daemon=True).start()
        else:
            sign_all()

    def root_pem(self) -> bytes:
        return pem(sample_pki(self._today)[0])

    def _all(self) -> dict[str, Licence]:
        with self._lock:
            if self._licences is None:
                self._licences = self._make()
            return self._licences

    def _make(self) -> dict[str, Licence]:
        holders = self._holders if self._holders is not None else sample_holders()
        licences: dict[str, Licence] = {}
        for h_index, holder in enumerate(holders):
            for t_index, licence_type in enumerate(LICENCE_TYPES):
                digest = hashlib.sha256(f"{holder.id_number}|{licence_type}".encode()).hexdigest()
                licence_id = "LIC-" + digest[:20].upper()
                number = f"{44 + t_index:02d}{self._today:%Y}{h_index:03d}{int(digest[20:26], 16) % 1000000:06d}"
                expiry = (self._today + dt.timedelta(days=365 * 5)).isoformat() \
                    if licence_type != "household_registration" else (self._today + dt.timedelta(days=90)).isoformat()
                _, _, issuer = LICENCE_TYPES[licence_type]
                licences[licence_id] = Licence(licence_id, licence_type, number, holder.id_number, holder.name,
                                               issuer, self._today.isoformat(), expiry)
        return licences

    def add(self, licence: Licence) -> None:
        """Tests: a licence made elsewhere (tampered, foreign signer...)."""
        self._all()[licence.licence_id] = licence

    def for_holder(self, id_number: str) -> list[Licence]:
        return [lic for lic in self._all().values() if lic.holder_id == id_number]

    def get(self, licence_id: str) -> Licence | None:
        return self._all().get(licence_id)

    def revoke(self, licence_id: str) -> None:
        self._all()[licence_id].revoked = True

    def mint_token(self, licence_id: str, kiosk_id: str, now: str) -> PrintToken:
        token = PrintToken(secrets.token_urlsafe(18), licence_id, kiosk_id, now)
        with self._lock:
            self._tokens[token.token] = token
        return token

    def token(self, token: str) -> PrintToken | None:
        with self._lock:
            return self._tokens.get(token)

    def record_report(self, print_id: str, report: dict) -> tuple[dict, bool]:
        """Idempotent by print_id: (stored report, created)."""
        with self._lock:
            if print_id in self._reports:
                return self._reports[print_id], False
            self._reports[print_id] = report
            token = self._tokens.get(str(report.get("token", "")))
            if token is not None:
                token.printed = report
            return report, True

    def reports(self) -> list[dict]:
        with self._lock:
            return list(self._reports.values())


def sample_holders() -> list[Holder]:
    """The simulated card holders (sim/identities.py): every demo citizen has licences."""
    from kiosk.core.id_number import make_id_number
    from sim.identities import SIM_IDENTITIES
    today = dt.date.today()
    holders = []
    for identity in SIM_IDENTITIES.values():
        holders.append(Holder(make_id_number(identity.region_code, identity.birth_date(today), identity.sequence),
                              identity.name))
    return holders


def mask_name(name: str) -> str:
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 2) + name[-1] if len(name) > 2 else name[0] + "*"
