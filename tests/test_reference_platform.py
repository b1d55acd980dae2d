"""The reference platform as the kiosk sees it: a real uvicorn server on 127.0.0.1, real HTTP, real SQLite."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from reference_platform import PlatformServerError, ReferencePlatformServer
from reference_platform.numbers import BEIJING

# A real uvicorn server is started and stopped for each test (~0.2 s each, ~7 s in all).
pytestmark = pytest.mark.slow

ID_NUMBER = "44030019400101123X"
NAME = "陈美玲"
ADDRESS = "广东省深圳市福田区福华路1号"
PHONE = "13800138000"
KIOSK = "GD-SZ-FT-0001"
NUMBER_RE = re.compile(r"^GD(\d{8})(\d{6})$")

CATALOG_FILE = Path(__file__).resolve().parents[1] / "reference_platform" / "catalog.json"
ELDERLY_ALLOWANCE = {  # the parts of the entry the application tests below rely on
    'id': 'elderly-allowance',
    'identity': 'card_and_face',
    'card_types': ['resident_id'],
    'eligibility': {'min_age': 80},
    'fields': [{'id': 'name', 'type': 'text', 'prefill': 'card.name', 'readonly': True, 'labels': {'zh_CN': '姓名', 'zh_HK': '姓名', 'en': 'Name'}}, {'id': 'id_number', 'type': 'id_number', 'prefill': 'card.id_number', 'readonly': True, 'labels': {'zh_CN': '证件号码', 'zh_HK': '證件號碼', 'en': 'ID number'}}, {'id': 'address', 'type': 'text', 'prefill': 'card.address', 'readonly': True, 'max_length': 120, 'labels': {'zh_CN': '证件地址', 'zh_HK': '證件地址', 'en': 'Address on the card'}}, {'id': 'phone', 'type': 'phone', 'pattern': '^1[3-9][0-9]{9}$', 'labels': {'zh_CN': '手机号码', 'zh_HK': '手機號碼', 'en': 'Mobile phone'}}],
    'expected_days': 15,
}


class FakeClock:
    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def server(tmp_path):
    platform = ReferencePlatformServer(tmp_path / "platform.sqlite3")
    platform.start()
    yield platform
    platform.stop()


@pytest.fixture
def url(server) -> str:
    return server.base_url


def application_body(**overrides) -> dict:
    body = {
        "application_id": str(uuid.uuid4()),
        "service_id": "elderly-allowance",
        "kiosk_id": KIOSK,
        "applicant": {"id_number": ID_NUMBER, "name": NAME, "address": ADDRESS, "phone": PHONE},
        "form": {"name": NAME, "id_number": ID_NUMBER, "address": ADDRESS, "phone": PHONE},
        "submitted_at": "2026-11-23T10:15:00+08:00",
    }
    body.update(overrides)
    return body


def rating_body(application_id: str, **overrides) -> dict:
    body = {"rating_id": str(uuid.uuid4()), "application_id": application_id, "kiosk_id": KIOSK,
            "level": "very_satisfied", "skipped": False, "reasons": [], "rated_at": "2026-11-23T10:16:00+08:00"}
    body.update(overrides)
    return body


def post(url: str, path: str, body: dict, key: str | None = "from-body", **kwargs) -> requests.Response:
    if key == "from-body":
        key = body.get("application_id") if path == "/applications" else body.get("rating_id")
    headers = {"Idempotency-Key": key} if key is not None else {}
    return requests.post(url + path, json=body, headers=headers, timeout=5, **kwargs)


def assert_error(response: requests.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


# ----- catalog -----

def test_catalog_serves_the_elderly_allowance_schema_and_parses_in_the_kiosk(url):
    response = requests.get(url + "/catalog", timeout=5)
    assert response.status_code == 200
    catalog = response.json()
    assert catalog == json.loads(CATALOG_FILE.read_text(encoding="utf-8"))   # served verbatim
    services = {s["id"]: s for s in catalog["services"]}
    assert {key: services["elderly-allowance"][key] for key in ELDERLY_ALLOWANCE} == ELDERLY_ALLOWANCE
    assert {"pension-certification", "residence-permit", "open-barbershop", "queue-ticket",
            "progress-query", "real-estate-progress", "hmt-social-insurance"} <= services.keys()

    from kiosk.core.catalog import parse_catalog  # the kiosk's own strict parser accepts it
    parsed = parse_catalog(catalog)
    assert parsed.service("elderly-allowance").min_age == 80


# ----- applications -----

def test_new_application_gets_a_dated_number_and_a_token_without_personal_data(server, url):
    body = application_body()
    response = post(url, "/applications", body)
    assert response.status_code == 201, response.text
    assert "Idempotent-Replayed" not in response.headers
    receipt = response.json()
    assert receipt["application_id"] == body["application_id"]
    assert receipt["status"] == "received"
    match = NUMBER_RE.match(receipt["application_number"])
    assert match, receipt["application_number"]
    received = dt.datetime.fromisoformat(receipt["received_at"])
    assert received.utcoffset() == dt.timedelta(hours=8)
    assert match.group(1) == received.strftime("%Y%m%d") and match.group(2) == "000001"
    assert receipt["expected_completion"] == (received.date() + dt.timedelta(days=15)).isoformat()
    assert receipt["query_url"] == f"/applications/{receipt['query_token']}"
    token = receipt["query_token"]
    assert len(token) >= 20 and not any(p in token for p in (ID_NUMBER, PHONE, "1940"))

    rows = server.store.applications()
    assert len(rows) == 1
    assert rows[0]["application_id"] == body["application_id"]
    assert (rows[0]["name"], rows[0]["id_number"], rows[0]["phone"]) == (NAME, ID_NUMBER, PHONE)
    assert server.store.application_count(id_number=ID_NUMBER) == 1
    assert server.store.application_count(id_number="110101190001011234") == 0


def test_daily_sequence_counts_up_and_restarts_each_beijing_day(tmp_path):
    clock = FakeClock(dt.datetime(2026, 11, 23, 23, 59, tzinfo=BEIJING))
    with ReferencePlatformServer(tmp_path / "p.sqlite3", clock=clock) as platform:
        numbers = [post(platform.base_url, "/applications", application_body()).json()["application_number"]
                   for _ in range(2)]
        clock.moment = dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.timezone.utc)  # 00:00 next day in Beijing
        numbers.append(post(platform.base_url, "/applications", application_body()).json()["application_number"])
    assert numbers == ["GD20261123000001", "GD20261123000002", "GD20261124000001"]


def test_replay_with_same_key_and_body_returns_the_original_result(server, url):
    body = application_body()
    first = post(url, "/applications", body)
    # Same JSON, different key order and formatting: the fingerprint is over canonical JSON.
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2, ensure_ascii=False).encode("utf-8")
    again = requests.post(url + "/applications", data=reordered, timeout=5,
                          headers={"Idempotency-Key": f'"{body["application_id"]}"',  # sf-string form
                                   "Content-Type": "application/json"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert server.store.application_count() == 1


def test_same_key_with_a_different_body_is_refused(server, url):
    body = application_body()
    first = post(url, "/applications", body)
    assert first.status_code == 201
    changed = dict(body, form={**body["form"], "phone": "13900139000"})
    assert_error(post(url, "/applications", changed), 422, "idempotency_key_reused")
    assert server.store.application_count() == 1
    assert server.store.applications()[0]["form"]["phone"] == PHONE


def test_missing_or_mismatched_idempotency_key_is_refused(server, url):
    body = application_body()
    assert_error(post(url, "/applications", body, key=None), 400, "idempotency_key_missing")
    assert_error(post(url, "/applications", body, key=str(uuid.uuid4())), 422, "idempotency_key_mismatch")
    assert server.store.application_count() == 0


def test_unknown_service_and_bad_fields_are_refused_without_leaking_values(server, url):
    assert_error(post(url, "/applications", application_body(service_id="dog-licence")), 422, "unknown_service")

    no_phone = application_body()
    del no_phone["applicant"]["phone"]
    error = assert_error(post(url, "/applications", no_phone), 422, "invalid_request")
    assert "phone" in error["message"]

    bad_phone = application_body(form={"phone": "12345"})
    error = assert_error(post(url, "/applications", bad_phone), 422, "invalid_form")
    assert "phone" in error["message"] and "12345" not in error["message"]

    bad_id = application_body()
    bad_id["applicant"]["id_number"] = "4403001940010112"
    bad_id["form"] = {"phone": PHONE}
    error = assert_error(post(url, "/applications", bad_id), 422, "invalid_form")
    assert "4403001940010112" not in error["message"]
    assert server.store.application_count() == 0

    # A refused request records nothing: the same key succeeds once the body is corrected.
    fixed = dict(bad_phone, form={"phone": PHONE})
    assert post(url, "/applications", fixed).status_code == 201


@pytest.mark.parametrize("document_type,number,accepted", [
    ("emrtd", "K12345678", True),                      # a passport number
    ("emrtd", "K1234567890", False),                   # longer than the MRZ field
    ("foreigner_permanent_2017", "USA110034120101", True),
    ("foreigner_permanent_2017", "110034120101USA", False),
    ("resident_id", "K12345678", False),               # a passport number is not a GB 11643 number
    ("library_card", "K12345678", False),              # an unknown document type accepts nothing
])
def test_id_number_is_checked_in_the_format_of_its_document(url, document_type, number, accepted):
    """A queue ticket takes any document: the number's format follows applicant.document_type."""
    body = application_body(service_id="queue-ticket",
                            form={"name": "CHAN TAI MAN", "id_number": number, "counter": "household"})
    body["applicant"].update(id_number=number, name="CHAN TAI MAN", document_type=document_type)
    response = post(url, "/applications", body)
    if accepted:
        assert response.status_code == 201, response.text
    else:
        error = assert_error(response, 422, "invalid_form")
        assert "id_number" in error["message"] and number not in error["message"]


def test_status_by_token_or_uuid_without_personal_data(url):
    receipt = post(url, "/applications", application_body()).json()
    by_token = requests.get(f"{url}/applications/{receipt['query_token']}", timeout=5)
    assert by_token.status_code == 200
    assert by_token.json() == {
        "application_number": receipt["application_number"], "service_id": "elderly-allowance",
        "status": "received", "received_at": receipt["received_at"],
        "expected_completion": receipt["expected_completion"]}
    assert NAME not in by_token.text and ID_NUMBER not in by_token.text
    assert_error(requests.get(f"{url}/applications/Abc_def-1234567890xyz", timeout=5), 404, "unknown_application")
    # An offline receipt's QR carries the application UUID (the number did not exist yet).
    by_uuid = requests.get(f"{url}/applications/{receipt['application_id']}", timeout=5)
    assert by_uuid.status_code == 200 and by_uuid.json() == by_token.json()


def test_application_numbers_cannot_be_walked_through(url):
    """Numbers are sequential (GD + day + counter): a lookup by number alone would let anyone list every
    application's service, status and dates. Only the query token or the UUID finds one, and an existing
    number gets exactly the answer a made-up one gets."""
    receipt = post(url, "/applications", application_body()).json()
    existing = requests.get(f"{url}/applications/{receipt['application_number']}", timeout=5)
    made_up = requests.get(f"{url}/applications/GD20261123999999", timeout=5)
    assert_error(existing, 404, "query_token_required")
    assert_error(made_up, 404, "query_token_required")
    assert existing.json() == made_up.json()


# ----- ratings -----

def test_rating_is_recorded_once_per_application(server, url):
    receipt = post(url, "/applications", application_body()).json()
    rating = rating_body(receipt["application_id"])
    response = post(url, "/ratings", rating)
    assert response.status_code == 201, response.text
    assert response.json() == {"rating_id": rating["rating_id"],
                               "application_number": receipt["application_number"], "recorded": True}

    replay = post(url, "/ratings", rating)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == response.json()

    second = rating_body(receipt["application_id"], level="dissatisfied", reasons=["slow"])
    assert_error(post(url, "/ratings", second), 409, "already_rated")
    ratings = server.store.ratings()
    assert len(ratings) == 1
    assert ratings[0]["level"] == "very_satisfied" and ratings[0]["skipped"] is False


def test_skipped_rating_and_inconsistent_ratings(server, url):
    receipt = post(url, "/applications", application_body()).json()
    inconsistent = rating_body(receipt["application_id"], level="satisfied", skipped=True)
    assert_error(post(url, "/ratings", inconsistent), 422, "invalid_rating")
    assert_error(post(url, "/ratings", rating_body(receipt["application_id"], level="great")), 422, "invalid_request")
    skipped = rating_body(receipt["application_id"], level=None, skipped=True)
    assert post(url, "/ratings", skipped).status_code == 201
    assert server.store.ratings()[0]["level"] is None and server.store.ratings()[0]["skipped"] is True


def test_rating_for_unknown_application_is_refused_and_not_remembered(server, url):
    application = application_body()
    early_rating = rating_body(application["application_id"])
    assert_error(post(url, "/ratings", early_rating), 422, "unknown_application")
    assert server.store.ratings() == []
    # Once the application arrives, the very same rating request goes through.
    assert post(url, "/applications", application).status_code == 201
    assert post(url, "/ratings", early_rating).status_code == 201


# ----- heartbeat, fleet page, OpenAPI -----

def test_heartbeat_is_stored_per_kiosk(server, url):
    for outbox_pending in (3, 0):
        response = requests.post(url + "/heartbeat", timeout=5,
                                 json={"kiosk_id": KIOSK, "outbox": {"pending": outbox_pending}, "printer": "online"})
        assert response.status_code == 200
        assert response.json()["ok"] is True
        dt.datetime.fromisoformat(response.json()["server_time"])
    latest = server.store.latest_heartbeat(KIOSK)
    assert latest["outbox"] == {"pending": 0} and latest["printer"] == "online"
    assert server.store.latest_heartbeat("GD-SZ-FT-0002") is None
    assert_error(requests.post(url + "/heartbeat", json={"printer": "online"}, timeout=5), 422, "invalid_request")


def test_fleet_page_escapes_what_kiosks_send(url):
    requests.post(url + "/heartbeat", timeout=5,
                  json={"kiosk_id": KIOSK, "paper": "<script>alert('x')</script>",
                        "devices": {"<img src=x>": "<script>"}}).raise_for_status()
    page = requests.get(url + "/fleet", timeout=5)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert KIOSK in page.text
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "<img" not in page.text and "&lt;img src=x&gt;" in page.text


def test_openapi_describes_the_routes_and_models(url):
    spec = requests.get(url + "/openapi.json", timeout=5).json()
    assert {"/catalog", "/applications", "/applications/{reference}", "/ratings", "/heartbeat"} <= set(spec["paths"])
    post_apps = spec["paths"]["/applications"]["post"]
    assert "201" in post_apps["responses"]
    assert any(p["name"] == "Idempotency-Key" for p in post_apps["parameters"])
    assert {"ApplicationIn", "ApplicationReceipt", "RatingIn", "ErrorBody"} <= set(spec["components"]["schemas"])


def test_unknown_route_uses_the_error_body(url):
    assert_error(requests.get(url + "/nope", timeout=5), 404, "not_found")


# ----- faults -----

def test_fail_next_answers_503_and_does_no_work(server, url):
    server.faults.fail_next(1, status=503, retry_after=7)
    body = application_body()
    response = post(url, "/applications", body)
    assert_error(response, 503, "injected_fault")
    assert response.headers["Retry-After"] == "7"
    assert server.store.application_count() == 0
    assert server.faults.failures_injected == 1
    assert post(url, "/applications", body).status_code == 201  # the retry is a first request
    assert server.store.application_count() == 1


@pytest.mark.faults
def test_lost_response_after_commit_then_retry_gives_one_application(server, url):
    server.faults.drop_after_commit_next(1)
    body = application_body()
    with pytest.raises(requests.exceptions.ConnectionError):
        post(url, "/applications", body)
    assert server.faults.responses_dropped == 1
    assert server.store.application_count() == 1  # committed although the kiosk never heard back
    committed_number = server.store.applications()[0]["application_number"]

    retry = post(url, "/applications", body)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["application_number"] == committed_number
    assert server.store.application_count() == 1


def test_retry_while_in_progress_gets_409_and_exactly_one_row(server, url):
    server.faults.delay_s = 1.0
    body = application_body()
    results: list[requests.Response] = []
    first = threading.Thread(target=lambda: results.append(post(url, "/applications", body)))
    first.start()
    time.sleep(0.3)
    concurrent = post(url, "/applications", body)
    first.join(5)
    assert_error(concurrent, 409, "request_in_progress")
    assert concurrent.headers["Retry-After"] == "1"
    assert results and results[0].status_code == 201
    server.faults.delay_s = 0
    assert post(url, "/applications", body).json() == results[0].json()
    assert server.store.application_count() == 1


# ----- lifecycle -----

def test_idempotency_keys_survive_a_restart_on_the_same_database(tmp_path):
    db = tmp_path / "platform.sqlite3"
    body = application_body()
    with ReferencePlatformServer(db) as before:
        original = post(before.base_url, "/applications", body).json()
    with ReferencePlatformServer(db) as after:
        replay = post(after.base_url, "/applications", body)
        assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == original
        assert after.store.application_count() == 1
        # The daily sequence continues rather than restarting at 000001.
        second = post(after.base_url, "/applications", application_body()).json()["application_number"]
        assert second[:10] == original["application_number"][:10] and second.endswith("000002")


def test_stop_then_start_keeps_the_port_and_refuses_meanwhile(server, url):
    server.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/catalog", timeout=2)
    assert server.start() == url
    assert requests.get(url + "/catalog", timeout=5).status_code == 200


def test_busy_port_is_a_clear_error(server, tmp_path):
    other = ReferencePlatformServer(tmp_path / "other.sqlite3", port=server.port)
    with pytest.raises(PlatformServerError, match="cannot listen"):
        other.start()
    other.stop()


def test_no_personal_data_in_logs(url, caplog):
    caplog.set_level(logging.DEBUG)
    body = application_body()
    post(url, "/applications", body)
    post(url, "/applications", dict(body, form={"phone": "13900139000"}))
    post(url, "/applications", application_body(form={"phone": "12345"}))
    for secret in (NAME, ID_NUMBER, ADDRESS, PHONE, "13900139000"):
        assert secret not in caplog.text


def test_simultaneous_retries_of_one_application_create_one_row(server, url):
    body = application_body()
    barrier = threading.Barrier(8)
    responses: list[requests.Response] = []

    def send() -> None:
        barrier.wait()
        responses.append(post(url, "/applications", body))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(responses) == 8
    assert {r.status_code for r in responses} <= {201, 409}
    numbers = {r.json()["application_number"] for r in responses if r.status_code == 201}
    assert len(numbers) == 1
    assert sum(1 for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers) == 1
    assert server.store.application_count() == 1
