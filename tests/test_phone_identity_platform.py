"""Identity by phone at the reference platform (reference_platform/app_identity.py) and through the
kiosk's PlatformClient: signed single-use short-lived codes, replay, expiry, forgery; the RFC 8628
login: pending, slow_down, denied, expired, bound to its kiosk, delivered once, revoked."""
from __future__ import annotations

import datetime as dt

import pytest
import requests

from kiosk.core.phone_identity import identity_from_record
from kiosk.platform import PlatformClient, PlatformError
from reference_platform.app_identity import AppIdentity, person_record
from reference_platform.errors import ApiError
from reference_platform.server import ReferencePlatformServer
from sim.identities import SIM_IDENTITIES
from sim.phone_app import PhoneApp


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def elderly():
    return SIM_IDENTITIES["elderly"].document(faces_override="/nonexistent")


@pytest.fixture
def service(elderly):
    clock = Clock()
    app = AppIdentity({elderly.id_number: person_record(elderly)}, clock=clock, code_ttl_s=60, login_ttl_s=120,
                      login_interval_s=2)
    app.clock = clock
    return app


def code_error(service, code, kiosk="K1"):
    with pytest.raises(ApiError) as info:
        service.exchange_code(kiosk, code, "elderly-allowance")
    return info.value.status, info.value.code


def test_a_code_is_exchanged_once_for_the_holders_identity(service, elderly):
    code = service.issue_code(elderly.id_number)["code"]
    assert code.startswith("GDID1.") and elderly.id_number not in code   # the code names nobody
    reply = service.exchange_code("K1", code, "elderly-allowance")
    document = identity_from_record(reply["identity"], "app_code")
    assert (document.id_number, document.name, document.source, document.photo_jpeg) == \
        (elderly.id_number, elderly.name, "app_code", None)
    assert code_error(service, code) == (409, "code_used")          # replayed


def test_expired_forged_and_unknown_codes_are_refused(service, elderly):
    code = service.issue_code(elderly.id_number)["code"]
    service.clock.now += 61
    assert code_error(service, code) == (410, "code_expired")
    head, payload, mac = service.issue_code(elderly.id_number)["code"].split(".")
    assert code_error(service, f"{head}.{payload}.{'A' * len(mac)}") == (422, "code_invalid")
    other = AppIdentity(service.people, clock=service.clock)        # another platform's key
    assert code_error(service, other.issue_code(elderly.id_number)["code"]) == (422, "code_invalid")
    assert code_error(service, "MOEID1.abc.def") == (422, "code_invalid")
    restarted = AppIdentity(service.people, secret=service._secret, clock=service.clock)
    assert code_error(restarted, service.issue_code(elderly.id_number)["code"]) == (404, "code_unknown")


def poll_error(service, device_code, kiosk="K1"):
    with pytest.raises(ApiError) as info:
        service.poll_login(kiosk, device_code)
    return info.value.code


def test_login_pending_slow_down_confirmed_once_per_service_subject(service, elderly):
    start = service.start_login("K1", "elderly-allowance")
    assert set(start) == {"device_code", "user_code", "verification_uri", "verification_uri_complete",
                          "expires_in", "interval"}
    assert start["user_code"].replace("-", "") in start["verification_uri_complete"]
    service.clock.now += 2
    assert poll_error(service, start["device_code"]) == "authorization_pending"
    assert poll_error(service, start["device_code"]) == "slow_down"        # no wait between polls
    assert poll_error(service, start["device_code"], kiosk="K2") == "invalid_grant"   # bound to its kiosk
    service.decide_login(start["user_code"].replace("-", ""), elderly.id_number, approve=True)
    service.clock.now += 7
    reply = service.poll_login("K1", start["device_code"])
    assert reply["identity"]["id_number"] == elderly.id_number and len(reply["subject"]) >= 20
    service.clock.now += 7
    assert poll_error(service, start["device_code"]) == "invalid_grant"    # delivered once
    other = service.start_login("K1", "queue-ticket")
    service.decide_login(other["user_code"].replace("-", ""), elderly.id_number, approve=True)
    assert service.poll_login("K1", other["device_code"])["subject"] != reply["subject"]   # per service
    service.end_login(reply["login_id"])
    assert reply["login_id"] in service.revoked


def test_login_denied_and_expired(service, elderly):
    denied = service.start_login("K1", "queue-ticket")
    service.decide_login(denied["user_code"].replace("-", ""), elderly.id_number, approve=False)
    assert poll_error(service, denied["device_code"]) == "access_denied"
    late = service.start_login("K1", "queue-ticket")
    service.clock.now += 121
    assert poll_error(service, late["device_code"]) == "expired_token"
    with pytest.raises(ApiError):
        service.decide_login(late["user_code"].replace("-", ""), elderly.id_number, approve=True)


def test_over_http_with_the_kiosk_client_and_the_phone_app(tmp_path, elderly):
    server = ReferencePlatformServer(tmp_path / "p.sqlite3")
    server.app_identity.people[elderly.id_number] = person_record(elderly)
    url = server.start()
    client = PlatformClient(url, "TEST-KIOSK-1", connect_timeout=1, read_timeout=2)
    try:
        phone = PhoneApp(url, elderly.id_number)
        code = phone.identity_code()
        assert client.exchange_app_code(code, "elderly-allowance")["identity"]["name"] == elderly.name
        with pytest.raises(PlatformError) as replay:
            client.exchange_app_code(code, "elderly-allowance")
        assert (replay.value.status, replay.value.server_code, replay.value.retryable) == (409, "code_used", False)
        start = client.start_app_login("queue-ticket")
        with pytest.raises(PlatformError) as pending:
            client.poll_app_login(start["device_code"])
        assert (pending.value.status, pending.value.server_code) == (400, "authorization_pending")
        assert phone.confirm_login(PhoneApp.user_code_from_qr(start["verification_uri_complete"]))["kiosk_id"] \
            == "TEST-KIOSK-1"
        reply = client.poll_app_login(start["device_code"])
        client.end_app_login(reply["login_id"])
        assert reply["login_id"] in server.app_identity.revoked
        consentless = requests.post(url + "/identity/code-exchange", timeout=3, headers={"X-Kiosk-Id": "K"},
                                    json={"code": phone.identity_code(), "service_id": "queue-ticket"})
        assert consentless.status_code == 422          # no consent, no data
    finally:
        client.close()
        server.stop()
    with pytest.raises(PlatformError) as down:         # platform down: a retryable transport failure
        PlatformClient(url, "TEST-KIOSK-1", connect_timeout=0.5, read_timeout=0.5).exchange_app_code("x", "y")
    assert down.value.status is None and down.value.retryable


def test_identity_records_are_checked_like_a_card(elderly):
    record = person_record(elderly)
    assert identity_from_record(record, "app_login", "abc").birth_date == elderly.birth_date
    for broken in ({**record, "id_number": "440000000000000000"}, {**record, "sex": "x"},
                   {**record, "birth_date": "yesterday"}, {**record, "name": "a\x00b"}, "not a dict"):
        with pytest.raises(ValueError):
            identity_from_record(broken, "app_code")
    assert identity_from_record({**record, "valid_until": None}, "app_code").valid_until is None
    assert isinstance(elderly.birth_date, dt.date)


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_the_kiosk_clients_identity_requests_conform_to_the_document(tmp_path, elderly, signed):
    from urllib.parse import urlsplit

    from kiosk.signing import ALG_HMAC_SM3, make_signer
    from tests.test_platform_openapi_conformance import SIGNING_KEY, capture, documented, request_problems
    keys = {"TEST-KIOSK-1": SIGNING_KEY} if signed else None
    server = ReferencePlatformServer(tmp_path / "p.sqlite3", signature_keys=keys)
    server.app_identity.people[elderly.id_number] = person_record(elderly)
    url = server.start()
    try:
        session = requests.Session()
        sent = capture(session)
        client = PlatformClient(url, "TEST-KIOSK-1", session=session,
                                signer=make_signer(ALG_HMAC_SM3, SIGNING_KEY) if signed else None)
        phone = PhoneApp(url, elderly.id_number)
        client.exchange_app_code(phone.identity_code(), "elderly-allowance")
        start = client.start_app_login("queue-ticket")
        phone.confirm_login(start["user_code"])
        reply = client.poll_app_login(start["device_code"])
        client.end_app_login(reply["login_id"])
    finally:
        server.stop()
    spec = documented()
    assert len(sent) == 4
    problems = {f"{r.method} {urlsplit(r.url).path}": request_problems(spec, r) for r in sent}
    assert all(not found for found in problems.values()), problems
