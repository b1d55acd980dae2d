"""Face verification: naive pipeline vs the kiosk's, on the same frames and pairs.

    .venv/bin/python bench/face.py

1. **Time to a decision** (`naive_ms`, `ours_ms`, `ratio`; medians, p95 printed).
   One trial per genuine identity of the calibration set: the reference is that
   person's chip-like photo (102x126, ~3 KB JPEG); the "camera" is the same
   sequence of 640x480 frames for both pipelines, as a citizen arrives:
   8 frames of a real scene without a face (the first frames of the
   face_recognition example clip), 4 frames with the person far away (face ~45
   px), 3 frames with motion blur, then his other photos at camera size (each
   for 2 frames). Both pipelines process every frame in order, in this process,
   and stop at the same rule: matched when a frame's distance <= their
   threshold, not matched after 5 encoded frames. Time = compute time spent
   until the decision.
   - naive: `face_recognition.face_locations` (HOG, upsample 1) on the full
     frame + `face_encodings` of the largest face on every frame; tolerance 0.6.
   - ours: kiosk.face_worker.FaceEngine.observe (HOG on a 320 px copy, quality
     gates, encode only frames that pass) with the calibrated threshold.
   Liveness is left out of both: it is a challenge the citizen performs, not compute.
2. **FAR / FRR** on the calibration pairs (bench/face_calibrate.py): ours with
   the calibrated threshold and our encoding path; naive with face_recognition's
   own face_locations/face_encodings on chip and probe and its default 0.6.
3. **GUI stall** (`gui_stall_ms`): QApplication offscreen, a 10 ms QTimer
   heartbeat on the GUI thread; the longest gap while the real FaceVerifier
   (worker process) runs the verifications of step 4 fed by a real SimCamera.
4. **Worker RSS growth** (`worker_rss_growth_mb`): 500 verifications (card photo
   encoded + camera frames) through the real worker process; RSS after
   verification 20 (warm) vs after 500, from /proc.

Encodings live in memory only. Last line: one JSON object.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

import face_calibrate  # noqa: E402
from devices.sample_faces import faces_dir  # noqa: E402
from kiosk.config import FaceSection  # noqa: E402

THRESHOLD = FaceSection().threshold
NAIVE_TOLERANCE = 0.6
FRAMES_FOR_NOT_MATCHED = 5
VERIFICATIONS = 500
RSS_WARM_AT = 20
CLIP = faces_dir() / "face_recognition" / "examples" / "short_hamilton_clip.mp4"


# --- frames ------------------------------------------------------------------------

def background_frames(count: int) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(CLIP))
    frames = []
    while len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.resize(frame, (640, 480)))
    capture.release()
    return frames


def place(background: np.ndarray, photo: np.ndarray, height: int) -> np.ndarray:
    """The photo scaled to `height` px tall, centred on a copy of the background."""
    frame = background.copy()
    scale = height / photo.shape[0]
    small = cv2.resize(photo, (max(1, int(photo.shape[1] * scale)), height), interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    w = min(w, 640)
    top, left = (480 - h) // 2, (640 - w) // 2
    frame[top:top + h, left:left + w] = small[:, :w]
    return frame


def session_frames(backgrounds, photos: list[np.ndarray]) -> list[np.ndarray]:
    frames = [backgrounds[i] for i in range(8)]
    first = photos[0]
    frames += [place(backgrounds[8 + i], first, 100) for i in range(4)]          # far away
    frames += [cv2.GaussianBlur(place(backgrounds[12 + i], first, 420), (0, 0), 3) for i in range(3)]
    for photo in photos:
        frames += [place(backgrounds[15], photo, 420)] * 2                        # at the kiosk
    return frames


# --- the two pipelines -----------------------------------------------------------------

def decide_naive(face_recognition, reference, frames) -> tuple[float, str]:
    started = time.perf_counter()
    encoded = 0
    for frame in frames:
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        boxes = face_recognition.face_locations(rgb, number_of_times_to_upsample=1)
        if not boxes:
            continue
        box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
        encoding = face_recognition.face_encodings(rgb, [box])[0]
        encoded += 1
        if np.linalg.norm(reference - encoding) <= NAIVE_TOLERANCE:
            return time.perf_counter() - started, "matched"
        if encoded >= FRAMES_FOR_NOT_MATCHED:
            return time.perf_counter() - started, "not_matched"
    return time.perf_counter() - started, "undecided"


def decide_ours(engine, reference, frames) -> tuple[float, str]:
    started = time.perf_counter()
    encoded = 0
    for frame in frames:
        obs, _ = engine.observe(frame, "verify", reference)
        if obs.distance is None:
            continue
        encoded += 1
        if obs.distance <= THRESHOLD:
            return time.perf_counter() - started, "matched"
        if encoded >= FRAMES_FOR_NOT_MATCHED:
            return time.perf_counter() - started, "not_matched"
    return time.perf_counter() - started, "undecided"


def naive_encode(face_recognition, image_rgb):
    boxes = face_recognition.face_locations(image_rgb, number_of_times_to_upsample=1)
    if not boxes:
        return None
    box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
    return face_recognition.face_encodings(image_rgb, [box])[0]


def p95(values):
    return float(np.percentile(values, 95))


# --- GUI stall + RSS soak through the real worker ----------------------------------------

def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def soak(reference_jpeg: bytes, camera_photo: Path) -> dict:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    import devices.pyside_refcount_fix  # noqa: F401
    from devices.camera import SimCamera
    from kiosk.face_decision import FaceCheckParams
    from kiosk.face_verification import FaceVerifier

    app = QApplication.instance() or QApplication([])
    verifier = FaceVerifier()
    ready, results = [], []
    verifier.models_ready.connect(lambda: ready.append(True))
    verifier.finished.connect(results.append)
    verifier.start()
    deadline = time.monotonic() + 60
    while not ready and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    if not ready:
        raise RuntimeError("face worker did not start")
    camera = SimCamera(camera_photo, fps=15)
    camera.frame_ready.connect(verifier.offer_frame)
    camera.start()

    clock, gaps = QElapsedTimer(), []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: gaps.append(clock.restart()))
    params = FaceCheckParams(THRESHOLD, liveness=False)
    rss = {}
    started = time.monotonic()
    clock.start()
    heartbeat.start(10)
    for index in range(1, VERIFICATIONS + 1):
        before = len(results)
        verifier.begin(reference_jpeg, THRESHOLD, 2, 20, params=params)
        while len(results) == before:
            app.processEvents()
            time.sleep(0.002)
        if index in (RSS_WARM_AT, VERIFICATIONS):
            rss[index] = rss_mb(verifier.worker_info()["pid"])
    heartbeat.stop()
    matched = sum(1 for r in results if r.matched)
    camera.close()
    pid = verifier.worker_info()["pid"]
    verifier.shutdown()
    return {"gui_stall_ms": max(gaps[1:]), "ticks": len(gaps), "rss_warm_mb": rss[RSS_WARM_AT],
            "rss_end_mb": rss[VERIFICATIONS], "matched": matched, "verifications": len(results),
            "seconds": time.monotonic() - started, "worker_pid": pid}


def main() -> None:
    t0 = time.monotonic()
    print("calibration pairs (ours)...", flush=True)
    calibration = face_calibrate.calibrate(verbose=False)
    samples = calibration["_samples"]
    genuine, impostor = calibration["_genuine"], calibration["_impostor"]
    far, frr = face_calibrate.rates(genuine, impostor, THRESHOLD)

    import face_recognition   # the naive pipeline's library, in this process only
    print("calibration pairs (naive face_recognition, tolerance 0.6)...", flush=True)
    naive_chip, naive_probe = {}, {}
    for i, sample in enumerate(samples):
        image = cv2.imread(sample.path, cv2.IMREAD_COLOR)
        naive_probe[i] = naive_encode(face_recognition, cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        chip = cv2.imdecode(np.frombuffer(sample.chip_jpeg, np.uint8), cv2.IMREAD_COLOR)
        naive_chip[i] = naive_encode(face_recognition, cv2.cvtColor(chip, cv2.COLOR_BGR2RGB))
    n_gen, n_imp = [], []
    naive_misses = 0
    for i, ref in enumerate(samples):
        for j, probe in enumerate(samples):
            if i == j:
                continue
            if naive_chip[i] is None or naive_probe[j] is None:
                # No face found in the chip photo: the naive pipeline cannot accept.
                distance = float("inf")
                naive_misses += 1
            else:
                distance = float(np.linalg.norm(naive_chip[i] - naive_probe[j]))
            (n_gen if ref.identity == probe.identity else n_imp).append(distance)
    naive_far, naive_frr = face_calibrate.rates(np.array(n_gen), np.array(n_imp), NAIVE_TOLERANCE)

    print("time to a decision, same frames...", flush=True)
    engine = face_calibrate.FaceEngine()
    backgrounds = background_frames(16)
    by_identity: dict[str, list] = {}
    for sample in samples:
        if sample.group != "japanese" and sample.chip is not None:
            by_identity.setdefault(sample.identity, []).append(sample)
    naive_times, our_times, naive_outcomes, our_outcomes = [], [], [], []
    for identity, members in sorted(by_identity.items()):
        if len(members) < 2:
            continue
        reference_sample, others = members[0], members[1:6]
        photos = [cv2.imread(m.path, cv2.IMREAD_COLOR) for m in others]
        frames = session_frames(backgrounds, photos)
        chip = cv2.imdecode(np.frombuffer(reference_sample.chip_jpeg, np.uint8), cv2.IMREAD_COLOR)
        naive_reference = naive_encode(face_recognition, cv2.cvtColor(chip, cv2.COLOR_BGR2RGB))
        if naive_reference is None:
            continue
        seconds, outcome = decide_naive(face_recognition, naive_reference, frames)
        naive_times.append(seconds * 1000)
        naive_outcomes.append(outcome)
        seconds, outcome = decide_ours(engine, reference_sample.chip, frames)
        our_times.append(seconds * 1000)
        our_outcomes.append(outcome)
    naive_ms, ours_ms = statistics.median(naive_times), statistics.median(our_times)
    print(f"trials {len(naive_times)}; naive median {naive_ms:.0f} ms p95 {p95(naive_times):.0f} ms "
          f"outcomes {dict((o, naive_outcomes.count(o)) for o in set(naive_outcomes))}; "
          f"ours median {ours_ms:.0f} ms p95 {p95(our_times):.0f} ms "
          f"outcomes {dict((o, our_outcomes.count(o)) for o in set(our_outcomes))}")
    print(f"calibration pairs: ours (threshold {THRESHOLD}) FAR {far:.4%} FRR {frr:.1%}; naive (0.6) "
          f"FAR {naive_far:.4%} FRR {naive_frr:.1%} ({naive_misses} pairs without a naive chip face); "
          f"{len(genuine)} genuine / {len(impostor)} impostor pairs", flush=True)

    print(f"GUI stall + worker RSS over {VERIFICATIONS} verifications...", flush=True)
    from devices.id_reader.sim_identities import camera_source_for, chip_photo_jpeg
    soaked = soak(chip_photo_jpeg("elderly", str(faces_dir())), camera_source_for("elderly"))
    print(f"GUI longest gap {soaked['gui_stall_ms']} ms over {soaked['ticks']} ticks; worker RSS "
          f"{soaked['rss_warm_mb']:.1f} MB after {RSS_WARM_AT}, {soaked['rss_end_mb']:.1f} MB after "
          f"{VERIFICATIONS} ({soaked['matched']}/{soaked['verifications']} matched, "
          f"{soaked['seconds']:.0f} s); total {time.monotonic() - t0:.0f} s", flush=True)
    print(json.dumps({
        "naive_ms": round(naive_ms, 1), "ours_ms": round(ours_ms, 1), "ratio": round(naive_ms / ours_ms, 2),
        "far": round(far, 6), "frr": round(frr, 4), "naive_far": round(naive_far, 6),
        "naive_frr": round(naive_frr, 4), "gui_stall_ms": soaked["gui_stall_ms"],
        "worker_rss_growth_mb": round(soaked["rss_end_mb"] - soaked["rss_warm_mb"], 1),
    }))


if __name__ == "__main__":
    main()
