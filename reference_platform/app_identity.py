"""Identity by phone on the reference platform: the government app's dynamic identity code
(model A: Guangdong/Macau) and app login by QR (model B: iAM Smart), docs/phone-identity.md.

Dynamic code. The app asks its backend for a code (`issue_code`, the phone-app side); the code
is `GDID1.<payload>.<mac>`: payload = base64url JSON {v, iss, jti, iat, exp}, mac = base64url
HMAC-SHA256 over "GDID1.<payload>" with the platform's secret. It names nobody: the holder is
found by `jti` in the platform's table, so a photographed code leaks nothing and dies with its
`exp` (60 s). A kiosk exchanges it once (`exchange_code`): bad shape or MAC -> code_invalid,
past exp -> code_expired, exchanged before -> code_used (replay), MAC good but never issued
here -> code_unknown.

App login. RFC 8628 device authorisation: the kiosk starts one (`start_login`: device_code
(secret, stays on the kiosk), user_code (shown), verification_uri_complete (the QR), interval,
expires_in); the citizen's app approves or denies it with the user code (`decide_login`); the
kiosk polls (`poll_login`) and gets authorization_pending / slow_down (faster than interval;
the interval grows by 5 s, as the RFC says) / expired_token / access_denied, or, once, the
identity with a per-service subject (HMAC of the ID number and the service: another service
sees another identifier) and a login id. `end_login` revokes it when the kiosk session ends.
A device code is bound to the kiosk that started it.

State is in memory (a stand-in): a platform restart forgets issued codes and logins, which
then answer code_unknown / expired_token.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from reference_platform.errors import ApiError

CODE_PREFIX = "GDID1"
ISSUER = "gd-gov-app"
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"    # RFC 8628 6.1: no vowels, no look-alikes
VERIFICATION_URI = "https://app.gd.gov.cn/kiosk-login"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class _Login:
    device_code: str
    user_code: str
    kiosk_id: str
    service_id: str
    expires_at: float
    interval_s: float
    last_poll: float = 0.0
    decision: str = "pending"          # pending | approved | denied | delivered | revoked
    id_number: str | None = None
    login_id: str = field(default_factory=lambda: _b64(secrets.token_bytes(12)))


class AppIdentity:
    """Both flows' state and rules; app.py maps them to HTTP. Thread-safe."""

    def __init__(self, people: dict[str, dict], *, secret: bytes | None = None, clock: Callable[[], float] = time.time,
                 code_ttl_s: float = 60.0, login_ttl_s: float = 120.0, login_interval_s: float = 2.0):
        self.people = people                 # id_number -> identity record (see person_record)
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock
        self.code_ttl_s = code_ttl_s
        self.login_ttl_s = login_ttl_s
        self.login_interval_s = login_interval_s
        self._lock = threading.Lock()
        self._codes: dict[str, tuple[str, float]] = {}     # jti -> (id_number, exp)
        self._used: set[str] = set()                         # jti exchanged once (replay detection)
        self._logins: dict[str, _Login] = {}                 # device_code -> login
        self.revoked: set[str] = set()                       # login ids ended by their kiosk

    # --- the phone app's side (sim/phone_app.py) ------------------------------------

    def issue_code(self, id_number: str) -> dict:
        if id_number not in self.people:
            raise ApiError(404, "unknown_holder", "no app account for this ID number")
        now = self._clock()
        jti = secrets.token_hex(8)
        payload = _b64(json.dumps({"v": 1, "iss": ISSUER, "jti": jti, "iat": int(now),
                                   "exp": int(now + self.code_ttl_s)}, separators=(",", ":")).encode())
        signed = f"{CODE_PREFIX}.{payload}"
        code = f"{signed}.{self._mac(signed)}"
        with self._lock:
            self._codes[jti] = (id_number, now + self.code_ttl_s)
        return {"code": code, "expires_in": int(self.code_ttl_s)}

    def decide_login(self, user_code: str, id_number: str, approve: bool) -> dict:
        user_code = user_code.strip().upper()
        with self._lock:
            login = next((entry for entry in self._logins.values() if entry.user_code == user_code), None)
            if login is None or login.decision != "pending" or self._clock() >= login.expires_at:
                raise ApiError(404, "unknown_user_code", "no pending kiosk login with this code")
            if approve and id_number not in self.people:
                raise ApiError(404, "unknown_holder", "no app account for this ID number")
            login.decision = "approved" if approve else "denied"
            login.id_number = id_number if approve else None
            return {"kiosk_id": login.kiosk_id, "service_id": login.service_id, "decision": login.decision}

    # --- the kiosk's side -------------------------------------------------------------

    def exchange_code(self, kiosk_id: str, code: str, service_id: str) -> dict:
        jti, exp = self._verified(code)
        now = self._clock()
        with self._lock:
            if jti in self._used:
                raise ApiError(409, "code_used", "this code was already used; show a new one")
            if now >= exp:
                raise ApiError(410, "code_expired", "this code has expired; refresh it in the app")
            issued = self._codes.get(jti)
            if issued is None:
                raise ApiError(404, "code_unknown", "this code was not issued by this platform")
            self._used.add(jti)
            del self._codes[jti]
        return {"source": "app_code", "identity": self.people[issued[0]], "service_id": service_id}

    def start_login(self, kiosk_id: str, service_id: str) -> dict:
        now = self._clock()
        user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
        login = _Login(device_code=_b64(secrets.token_bytes(24)), user_code=user_code, kiosk_id=kiosk_id,
                       service_id=service_id, expires_at=now + self.login_ttl_s, interval_s=self.login_interval_s)
        with self._lock:
            self._logins = {k: v for k, v in self._logins.items() if v.expires_at > now - 600}
            self._logins[login.device_code] = login
        return {"device_code": login.device_code, "user_code": f"{user_code[:4]}-{user_code[4:]}",
                "verification_uri": VERIFICATION_URI,
                "verification_uri_complete": f"{VERIFICATION_URI}?user_code={user_code}",
                "expires_in": int(self.login_ttl_s), "interval": self.login_interval_s}

    def poll_login(self, kiosk_id: str, device_code: str) -> dict:
        now = self._clock()
        with self._lock:
            login = self._logins.get(device_code)
            if login is None or login.kiosk_id != kiosk_id or login.decision in ("delivered", "revoked"):
                raise ApiError(400, "invalid_grant", "unknown or used device code")
            if now >= login.expires_at:
                raise ApiError(400, "expired_token", "the login expired before it was confirmed")
            if login.decision == "denied":
                raise ApiError(400, "access_denied", "the citizen declined the login in the app")
            too_fast = now - login.last_poll < login.interval_s * 0.8
            login.last_poll = now
            if login.decision == "pending":
                if too_fast:
                    login.interval_s += 5.0
                    raise ApiError(400, "slow_down", "polling faster than the interval",
                                   headers={"X-Interval": f"{login.interval_s:g}"})
                raise ApiError(400, "authorization_pending", "waiting for the citizen to confirm in the app")
            login.decision = "delivered"
            id_number = login.id_number or ""
        subject = self._mac(f"subject|{id_number}|{login.service_id}")[:26]
        return {"source": "app_login", "login_id": login.login_id, "subject": subject,
                "identity": self.people[id_number], "expires_in": int(self.login_ttl_s)}

    def end_login(self, login_id: str) -> None:
        with self._lock:
            self.revoked.add(login_id)
            for login in self._logins.values():
                if login.login_id == login_id:
                    login.decision = "revoked"

    # --- internals ----------------------------------------------------------------------

    def _mac(self, text: str) -> str:
        return _b64(hmac.new(self._secret, text.encode(), hashlib.sha256).digest())

    def _verified(self, code: str) -> tuple[str, float]:
        """(jti, exp) of a code whose shape and MAC are ours, else 422 code_invalid."""
        parts = code.split(".")
        if len(parts) != 3 or parts[0] != CODE_PREFIX or len(code) > 512:
            raise ApiError(422, "code_invalid", "not a government app identity code")
        if not hmac.compare_digest(self._mac(f"{parts[0]}.{parts[1]}"), parts[2]):
            raise ApiError(422, "code_invalid", "the code's signature does not verify")
        try:
            payload = json.loads(_unb64(parts[1]))
            return str(payload["jti"]), float(payload["exp"])
        except (ValueError, KeyError, TypeError):
            raise ApiError(422, "code_invalid", "the code's payload is malformed") from None


def person_record(document) -> dict:
    """The identity record the platform returns for a holder (from an IdentityDocument)."""
    return {"document_type": document.card_type.value, "id_number": document.id_number, "name": document.name,
            "sex": document.sex, "nation": document.nation, "birth_date": document.birth_date.isoformat(),
            "address": document.address, "issuer": document.issuer,
            "valid_from": document.valid_from.isoformat() if document.valid_from else None,
            "valid_until": document.valid_until.isoformat() if document.valid_until else None}
