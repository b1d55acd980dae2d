"""HTTP client for the government service platform (the only module that speaks HTTP to it).

Every failure becomes a `PlatformError` that says whether retrying can help:

* retryable: connection refused/reset, DNS, TLS, timeouts (delivery ambiguous: the
  outbox re-sends with the same Idempotency-Key), 5xx, 408, 429, 409 (same key still in
  flight on the server; a 409 naming a business conflict like `already_rated` is
  permanent), and a 2xx whose body is not the JSON we expect
  (`malformed_reply`: a broken proxy or a half-deployed platform; the platform's
  idempotency makes the retry safe);
* permanent: every other 4xx (400 bad request, 422 key reused with another payload or
  failed validation, 413...). The caller parks those for a technician.

* a 2xx reply that is not `application/json`, not a JSON object, or larger than
  `max_reply_bytes` (read streamed, never loaded whole) is `malformed_reply` /
  `reply_too_large`: retryable, like any ambiguous outcome. So is a reply whose fields
  fail the checks in `kiosk.platform_replies` (type, format, length, characters);
* a 3xx is never followed (`redirect`, retryable: the outbox keeps the data while a
  technician fixes the platform URL). Following one would re-send the application and its
  signature headers to whatever host the `Location` names;
* every call has an overall deadline (`request_deadline`, default connect + read timeout):
  requests' read timeout is per read, so a reply dripping one byte a second would otherwise
  hold the calling thread for ever. A watchdog shuts the socket down when the deadline
  passes (`deadline_exceeded`, retryable).

Every attempt is signed afresh (kiosk/signing.py) when a signer is configured; TLS is
verified against `ca_bundle` when given; `client_cert` presents the kiosk's certificate (mTLS).

urllib3's own retries stay off: the outbox worker owns retrying and persists its schedule.
Bodies carry personal data, so they are never logged and never copied into error
messages (FastAPI-style 422 replies echo the input back).
"""
from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from kiosk.platform_deadline import DeadlineAdapter, RequestDeadline
from kiosk.platform_replies import InvalidReply, check_reply
from offline_cache.delivery import DeliveryError

log = logging.getLogger(__name__)
# urllib3 at DEBUG logs request lines and headers; keep it quiet whatever the root level is.
logging.getLogger("urllib3").setLevel(logging.WARNING)

MAX_RETRY_AFTER_S = 300.0
MAX_REPLY_BYTES = 1024 * 1024   # platform replies are small JSON; anything bigger is a fault
_SUBMIT_PATHS = {"application": "/applications", "rating": "/ratings", "licence_print": "/licence-prints"}
# The body field that repeats the Idempotency-Key, per kind (the platform checks they agree).
_ID_FIELDS = {"application": "application_id", "rating": "rating_id", "licence_print": "print_id"}
_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class PlatformError(DeliveryError):
    """A platform call failed. `code` is a short machine-readable reason without personal data.

    A `DeliveryError`: `PlatformClient` is the outbox's delivery (`offline_cache.delivery`)."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None,
                 retry_after: float | None = None, code: str = "error", server_code: str | None = None):
        super().__init__(message, retryable=retryable, status=status, retry_after=retry_after, code=code)
        self.server_code = server_code    # the platform's own error code, e.g. "idempotency_key_reused"

    @property
    def reason(self) -> str:
        """Short text for the outbox's last_error and technician screens: `http_422:invalid_request`."""
        return f"{self.code}:{self.server_code}" if self.server_code else self.code

    def __repr__(self) -> str:
        return (f"PlatformError(code={self.code!r}, server_code={self.server_code!r}, status={self.status}, "
                f"retryable={self.retryable}, "
                f"retry_after={self.retry_after})")


def parse_retry_after(value: str | None, *, cap_s: float = MAX_RETRY_AFTER_S, now: float | None = None) -> float | None:
    """RFC 9110 Retry-After: delay-seconds or an HTTP-date. Clamped to [0, cap_s]; junk -> None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), cap_s)


class PlatformClient:
    def __init__(self, base_url: str, kiosk_id: str, connect_timeout: float = 3.05, read_timeout: float = 10.0,
                 ca_bundle: str | None = None, client_cert: str | tuple[str, str] | None = None,
                 max_retry_after_s: float = MAX_RETRY_AFTER_S, session: requests.Session | None = None,
                 signer=None, max_reply_bytes: int = MAX_REPLY_BYTES, request_deadline: float | None = None):
        self.base_url = base_url.rstrip("/")
        self.kiosk_id = kiosk_id
        self.timeout = (connect_timeout, read_timeout)
        # Whole call, first byte sent to last byte read (requests' own timeouts are per socket operation).
        self.request_deadline = request_deadline or (connect_timeout + read_timeout)
        self.max_retry_after_s = max_retry_after_s
        self.max_reply_bytes = max_reply_bytes
        self._session = session or requests.Session()
        if signer is not None:
            from kiosk.signing import RequestSigningAuth
            self._session.auth = RequestSigningAuth(signer, kiosk_id)   # runs for every attempt
        # max_retries=0: never let urllib3 re-send a POST behind the outbox's back.
        # DeadlineAdapter: its connections report their sockets to the call's watchdog.
        adapter = DeadlineAdapter(max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        # Passed on every request, not only set on the session: requests lets REQUESTS_CA_BUNDLE /
        # CURL_CA_BUNDLE from the environment override Session.verify (psf/requests#3829), which
        # would silently swap the pinned platform CA for the system store.
        self._verify: str | bool = ca_bundle or True
        if ca_bundle:
            self._session.verify = ca_bundle          # pin the platform's CA instead of the system store
        if client_cert:
            self._session.cert = client_cert          # mTLS device identity (cert path or (cert, key))
        self._session.headers.update({"X-Kiosk-Id": kiosk_id, "Accept": "application/json"})

    def close(self) -> None:
        self._session.close()

    # --- endpoints --------------------------------------------------------------------

    def get_catalog(self) -> dict:
        return self._request_json("GET", "/catalog")

    def get_catalog_raw(self) -> tuple[bytes, str | None]:
        """The catalog's exact bytes and its `X-Catalog-Signature` (base64) if the platform signs it,
        for `offline_cache.catalog_cache.CatalogCache.accept` (a signature covers bytes, not a dict)."""
        response, content = self._send("GET", "/catalog")
        if not 200 <= response.status_code < 300:
            self._classify("GET", "/catalog", response, content)   # raises the classified error
        return content, response.headers.get("X-Catalog-Signature")

    def submit(self, kind: str, submission_id: str, body: dict) -> dict:
        """POST a submission with `Idempotency-Key: submission_id`; returns the platform's reply.

        Re-sending after an ambiguous failure with the same id returns the original result.
        """
        path = _SUBMIT_PATHS.get(kind)
        if path is None:
            raise ValueError(f"unknown submission kind {kind!r}")
        body_id = body.get(_ID_FIELDS[kind])
        if body_id is not None and str(body_id).lower() != submission_id.lower():
            raise ValueError(f"body {_ID_FIELDS[kind]} differs from the Idempotency-Key")
        # RFC 8941 sf-string, as draft-ietf-httpapi-idempotency-key-header specifies.
        reply = self._request_json("POST", path, json=body, headers={"Idempotency-Key": f'"{submission_id}"'})
        return _checked(kind, f"POST {path}", reply)

    def get_application(self, reference: str) -> dict:
        """Progress of an application, by the query token (receipt QR) or the application's UUID.
        The reply's fields are checked before a screen draws them."""
        return _checked("status", "GET /applications", self._request_json(
            "GET", f"/applications/{quote(reference, safe='')}"))

    def get_reference_photo(self, id_number: str) -> bytes | None:
        """The reference photo on record for an ID number (face-only services), or
        None when there is none (404). Kept in memory only by the caller."""
        # Through _send: signed, CA-pinned, timeouts and reply cap like every other call.
        response, content = self._send("GET", f"/reference-photos/{quote(id_number, safe='')}",
                                       headers={"Accept": "image/jpeg"})
        if response.status_code == 404:
            return None
        if response.status_code != 200 or response.headers.get("Content-Type", "").split(";")[0] != "image/jpeg":
            raise PlatformError(f"reference photo: HTTP {response.status_code}", retryable=True,
                                status=response.status_code, code="reference_photo")
        return content

    def get_config_bundle(self, scope: str, target: str) -> tuple[bytes, str | None] | None:
        """A signed configuration bundle's exact bytes and its `X-Config-Signature`, or None when the
        platform has none for this group/kiosk (404); checked by kiosk.central_config."""
        response, content = self._send("GET", f"/config-bundles/{quote(scope, safe='')}/{quote(target, safe='')}")
        if response.status_code == 404:
            return None
        if not 200 <= response.status_code < 300:
            self._classify("GET", "/config-bundles", response, content)   # raises the classified error
        return content, response.headers.get("X-Config-Signature")

    # --- identity by phone (docs/phone-identity.md) --------------------------------------
    # Errors come back as PlatformError with the platform's code in `server_code` (code_expired,
    # authorization_pending, ...); the phone-identity flow maps them to messages.

    def exchange_app_code(self, code: str, service_id: str) -> dict:
        """A scanned government-app identity code (the citizen consented) -> {source, identity}."""
        return self._request_json("POST", "/identity/code-exchange",
                                  json={"code": code, "service_id": service_id, "consent": True})

    def start_app_login(self, service_id: str) -> dict:
        """A device authorisation for this kiosk: device_code, user_code, verification_uri_complete, ..."""
        return self._request_json("POST", "/identity/device-authorizations", json={"service_id": service_id})

    def poll_app_login(self, device_code: str) -> dict:
        """The login's identity once confirmed; until then PlatformError(status 400, server_code
        authorization_pending / slow_down / expired_token / access_denied)."""
        return self._request_json("POST", "/identity/device-token", json={"device_code": device_code})

    def end_app_login(self, login_id: str) -> None:
        """Revokes an app login at the platform (the kiosk session ended)."""
        response, content = self._send("DELETE", f"/identity/logins/{quote(login_id, safe='')}")
        if response.status_code not in (200, 204, 404):
            self._classify("DELETE", "/identity/logins", response, content)
    # --- electronic licences (issue 15): the ID number travels in the signed body, never in a URL ---

    def search_licences(self, id_number: str) -> list[dict]:
        reply = self._request_json("POST", "/licences/search", json={"kiosk_id": self.kiosk_id, "id_number": id_number})
        licences = reply.get("licences")
        if not isinstance(licences, list) or not all(isinstance(item, dict) for item in licences):
            raise PlatformError("licence list: malformed reply", retryable=False, code="malformed_reply")
        return licences

    def licence_document(self, licence_id: str, id_number: str) -> tuple[bytes, str]:
        """(the signed PDF, "valid" | "revoked"); checked against the reply's sha256."""
        import base64
        import hashlib
        reply = self._request_json("POST", f"/licences/{quote(licence_id, safe='')}/document",
                                   json={"kiosk_id": self.kiosk_id, "id_number": id_number})
        try:
            pdf = base64.b64decode(str(reply["pdf_base64"]), validate=True)
            status = str(reply["status"])
        except (KeyError, ValueError):
            raise PlatformError("licence document: malformed reply", retryable=False, code="malformed_reply") from None
        if hashlib.sha256(pdf).hexdigest() != reply.get("sha256") or status not in ("valid", "revoked"):
            raise PlatformError("licence document: digest or status wrong", retryable=False, code="malformed_reply")
        return pdf, status

    def licence_print_token(self, licence_id: str, id_number: str) -> tuple[str, str]:
        """(opaque token, verification URL) for one print's QR."""
        reply = self._request_json("POST", f"/licences/{quote(licence_id, safe='')}/print-tokens",
                                   json={"kiosk_id": self.kiosk_id, "id_number": id_number})
        token, url = str(reply.get("token", "")), str(reply.get("verify_url", ""))
        if not _SAFE_TOKEN.match(token) or not url.startswith(("http://", "https://")) or not url.endswith(token):
            raise PlatformError("print token: malformed reply", retryable=False, code="malformed_reply")
        return token, url

    def heartbeat(self, body: dict) -> dict:
        return self._request_json("POST", "/heartbeat", json=body)

    def call_json(self, method: str, path: str, *, json_body: dict | None = None,
                  idempotency_key: str | None = None, params: dict | None = None) -> dict:
        """One signed JSON call with this client's timeouts and error classification (the payment
        endpoints, kiosk/payments.py). Never retried here: the caller decides what is safe to repeat."""
        headers = {"Idempotency-Key": f'"{idempotency_key}"'} if idempotency_key else {}
        kwargs: dict[str, Any] = {"headers": headers}
        if json_body is not None:
            kwargs["json"] = json_body
        if params:
            path = path + "?" + urlencode(params)
        return self._request_json(method, path, **kwargs)

    # --- transport and classification -------------------------------------------------

    def _request_json(self, method: str, path: str, **kwargs: Any) -> dict:
        response, content = self._send(method, path, **kwargs)
        return self._classify(method, path, response, content)

    def _send(self, method: str, path: str, **kwargs: Any) -> tuple[requests.Response, bytes]:
        """One attempt; transport failures become retryable PlatformErrors. Returns the (closed)
        response and its body, read up to max_reply_bytes."""
        url = self.base_url + path
        response = None
        deadline = RequestDeadline(self.request_deadline)
        try:
            with deadline:
                response = self._session.request(method, url, timeout=self.timeout, stream=True,
                                                 verify=self._verify, allow_redirects=False, **kwargs)
                content = self._read_capped(response)
        except requests.exceptions.RequestException as exc:
            raise self._transport_error(method, path, exc, deadline.expired) from exc
        except Exception as exc:
            if deadline.expired:   # whatever the shut-down socket made the layers below raise
                raise self._deadline_error(method, path) from exc
            raise
        finally:
            if response is not None:
                response.close()   # also drops a connection left mid-body (oversized reply)
        if deadline.expired:
            raise self._deadline_error(method, path)
        if content is None:
            raise PlatformError(f"{method} {path}: reply larger than {self.max_reply_bytes} bytes",
                                retryable=True, status=response.status_code, code="reply_too_large")
        if response.is_redirect or 300 <= response.status_code < 400:
            raise _redirect_error(method, path, response)
        return response, content

    def _deadline_error(self, method: str, path: str) -> PlatformError:
        # Sent, maybe committed, no complete answer in time: retry with the same key, like a read timeout.
        return PlatformError(f"{method} {path}: no complete reply within {self.request_deadline:g} s",
                             retryable=True, code="deadline_exceeded")

    def _transport_error(self, method: str, path: str, exc: requests.exceptions.RequestException,
                         expired: bool) -> PlatformError:
        """A requests exception as a retryable PlatformError (the watchdog's shutdown shows up as one too)."""
        if expired:
            return self._deadline_error(method, path)
        try:
            raise exc
        except requests.exceptions.ConnectTimeout:
            return PlatformError(f"{method} {path}: connect timeout", retryable=True, code="connect_timeout")
        except requests.exceptions.ReadTimeout:
            # Sent, no answer: the platform may have committed. Retry with the same key.
            return PlatformError(f"{method} {path}: read timeout", retryable=True, code="read_timeout")
        except requests.exceptions.SSLError:
            return PlatformError(f"{method} {path}: TLS error", retryable=True, code="tls_error")
        except requests.exceptions.ConnectionError:
            return PlatformError(f"{method} {path}: connection failed ({_root_cause(exc)})",
                                 retryable=True, code="connection_error")
        except requests.exceptions.RequestException:
            return PlatformError(f"{method} {path}: {type(exc).__name__}", retryable=True,
                                 code="transport_error")

    def _read_capped(self, response: requests.Response) -> bytes | None:
        """The body, or None if it exceeds max_reply_bytes (stops reading there)."""
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_reply_bytes:
            return None
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > self.max_reply_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _classify(self, method: str, path: str, response: requests.Response, content: bytes) -> dict:
        status = response.status_code
        if 200 <= status < 300:
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            try:
                payload = json.loads(content) if content_type == "application/json" else None
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                raise PlatformError(f"{method} {path}: HTTP {status} with a body that is not a JSON object",
                                    retryable=True, status=status, code="malformed_reply")
            return payload
        retry_after = parse_retry_after(response.headers.get("Retry-After"), cap_s=self.max_retry_after_s)
        server_code = _server_code(content)
        detail = f" ({server_code})" if server_code else ""
        retryable = status >= 500 or status in (408, 429) or (status == 409 and _is_in_flight_conflict(server_code))
        log.info("platform %s %s -> HTTP %s%s", method, path, status, detail)
        raise PlatformError(f"{method} {path}: HTTP {status}{detail}", retryable=retryable, status=status,
                            retry_after=retry_after, code=f"http_{status}", server_code=server_code)


def _checked(kind: str, what: str, reply: dict) -> dict:
    """The reply if its fields pass kiosk.platform_replies; else a retryable `malformed_reply`."""
    try:
        return check_reply(kind, reply)
    except InvalidReply as exc:
        log.warning("platform %s: invalid reply field %s", what, exc.field)
        raise PlatformError(f"{what}: {exc}", retryable=True, status=200, code="malformed_reply") from None


def _redirect_error(method: str, path: str, response: requests.Response) -> PlatformError:
    """A 3xx is refused: names the status and the target host for the technician (no path or query,
    which could carry tokens)."""
    target = urlsplit(response.headers.get("Location", "")).hostname or "(no host)"
    log.warning("platform %s %s -> HTTP %s redirect to %s refused", method, path, response.status_code, target)
    return PlatformError(f"{method} {path}: HTTP {response.status_code} redirect to {target} refused "
                         "(redirects are never followed; check platform.url)", retryable=True,
                         status=response.status_code, code="redirect")


def _is_in_flight_conflict(server_code: str | None) -> bool:
    """409 means "same key still being processed, retry as is" (idempotency draft) unless the
    platform names a business conflict such as `already_rated`: retrying that cannot help."""
    return server_code in (None, "request_in_progress", "conflict")


def _server_code(content: bytes) -> str | None:
    """The platform's error code from `{"error": {"code": ...}}` (or a flat `{"code": ...}`),
    if it looks like a token. Free-text messages are never taken over."""
    try:
        payload = json.loads(content)
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    candidates = [payload.get("code")]
    if isinstance(payload.get("error"), dict):
        candidates.insert(0, payload["error"].get("code"))
    for value in candidates:
        if isinstance(value, str) and _SAFE_TOKEN.match(value):
            return value
    return None


def _root_cause(exc: BaseException) -> str:
    """Name of the innermost exception, e.g. ConnectionRefusedError (no URLs with query strings)."""
    seen = set()
    while exc.__cause__ is not None or exc.__context__ is not None:
        nxt = exc.__cause__ or exc.__context__
        if id(nxt) in seen:
            break
        seen.add(id(nxt))
        exc = nxt
    return type(exc).__name__
