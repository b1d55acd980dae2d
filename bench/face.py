"""Face verification: naive pipeline vs the kiosk's default engine, on the same frames and pairs.

    .venv/bin/python bench/face.py

1. **Time to a decision** (`naive_ms`, `ours_ms`, `ratio`; medians, p95 printed).
   One trial per person for the 15 people of the Western sets with >= 2 photos and
   every 20th East Asian person (24 trials: the naive pipeline needs ~6 s of CPU
   per trial, and the whole bench must stay within 10 minutes on 2 cores): the
   reference is that person's chip-like photo (102x126, ~3 KB JPEG); the camera delivers
   the same 640x480 frames to both pipelines on a 15 fps clock, as a citizen
   steps up: 1 s of a real scene without a face (the first frames of the
   face_recognition example clip), 0.5 s far away (face ~45 px), 0.3 s moving
   (motion blur), then his other photos at camera size. The work on each frame
   is real and timed; only the waiting for the camera is simulated.
   - naive: `face_recognition.face_locations` (HOG, upsample 1) on the full
     frame + `face_encodings` of the largest face, on every frame in order;
   - ours: the default engine's FaceEngine.observe (kiosk.face_engine: YuNet on a
     320 px copy, quality gates, eye openness and SFace embedding only for frames
     that pass) on the latest frame.
   Same rule for both: matched at the first frame <= the pipeline's threshold (the
   kiosk's calibrated one for ours, face_recognition's default 0.6 for the naive
   one, which lets it match sooner), not matched after 5 embedded frames. `naive_ms`/`ours_ms` are
   measured from the moment the citizen is in position (the first at-kiosk
   frame; the approach is the citizen's time, the same for both, and would only
   dilute the ratio); the figures from the first frame are printed as well. Liveness is left out of both:
   it is a challenge the citizen performs, not compute.
2. **FAR / FRR** on the calibration pairs (bench/face_calibrate.py), per
   attempt as each pipeline decides (best over the other photos of a person,
   i.e. best-of-N frames; per-pair figures printed too), on all 1,029 calibration
   photos (East Asian sets included): ours with the calibrated threshold and the
   engine's own path; naive with face_recognition's own face_locations /
   face_encodings on chip and probe and its default 0.6 (two processes). A chip
   in which a pipeline finds no face accepts nobody (counted as rejections).
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

# Only light imports at the top: the face worker is spawned, and a spawned
# child re-runs this module's top level (it must not pull in Qt or dlib).
import cv2  # noqa: E402
import numpy as np  # noqa: E402

NAIVE_TOLERANCE = 0.6
FRAMES_FOR_NOT_MATCHED = 5
VERIFICATIONS = int(os.environ.get("BENCH_FACE_VERIFICATIONS", "500"))   # env: quicker dev runs only
RSS_WARM_AT = 20
THRESHOLD = None   # the kiosk default, set in main()


# --- frames ------------------------------------------------------------------------

def background_frames(count: int) -> list[np.ndarray]:
    from sim.sample_faces import faces_dir
    capture = cv2.VideoCapture(str(faces_dir() / "face_recognition" / "examples" / "short_hamilton_clip.mp4"))
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


FPS = 15.0
APPROACH_FRAMES = 15 + 8 + 5     # empty scene, far away, moving: then the citizen is in position


def session_frames(backgrounds, photos: list[np.ndarray]) -> list[np.ndarray]:
    """A citizen stepping up to the kiosk, at 15 fps: 1 s of the scene without
    anyone (15 frames), 0.5 s far away (face ~45 px), 0.3 s moving in (motion
    blur), then standing at the kiosk: his other photos at camera size, 0.4 s
    each, repeated for up to 6 s."""
    frames = [backgrounds[i % len(backgrounds)] for i in range(15)]
    first = photos[0]
    frames += [place(backgrounds[i % len(backgrounds)], first, 100) for i in range(8)]       # far away
    frames += [cv2.GaussianBlur(place(backgrounds[i % len(backgrounds)], first, 420), (0, 0), 3)
               for i in range(5)]                                                            # moving
    at_kiosk = []
    for photo in photos:
        at_kiosk += [place(backgrounds[0], photo, 420)] * 6
    while len(at_kiosk) < 90:
        at_kiosk += at_kiosk
    return frames + at_kiosk[:90]


# --- the two pipelines -----------------------------------------------------------------
#
# Frames arrive on a camera clock (frame i at i / FPS). The work on each frame is
# real and timed; only the waiting for the camera is simulated, so both pipelines
# see exactly the same frames at the same moments.
#   naive: every frame, in order (a queue: when it is slower than the camera, it
#          falls behind and works through stale frames);
#   ours:  latest frame only (what FaceVerifier.offer_frame does), gates first.
# Time to a decision = camera-clock time from the first frame to the decision.

def naive_step(face_recognition, reference, frame, threshold):
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    boxes = face_recognition.face_locations(rgb, number_of_times_to_upsample=1)
    if not boxes:
        return None
    box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
    encoding = face_recognition.face_encodings(rgb, [box])[0]
    return float(np.linalg.norm(reference - encoding))


def our_step(engine, reference, frame, threshold):
    obs, _ = engine.observe(frame, "verify", reference)
    return obs.distance


def decide(step, frames, threshold, latest_only: bool) -> tuple[float, str, int]:
    """(seconds to the decision on the camera clock, outcome, frames processed)."""
    clock, index, encoded, processed = 0.0, -1, 0, 0
    while True:
        if latest_only:
            newest = min(len(frames) - 1, int(clock * FPS))
            if newest <= index:                         # nothing new yet: wait for the camera
                newest = index + 1
                clock = max(clock, newest / FPS)
            index = newest
        else:
            index += 1
            clock = max(clock, index / FPS)
        if index >= len(frames):
            return clock, "undecided", processed
        started = time.perf_counter()
        distance = step(frames[index], threshold)
        clock += time.perf_counter() - started
        processed += 1
        if distance is None:
            if index == len(frames) - 1:
                return clock, "undecided", processed
            continue
        encoded += 1
        if distance <= threshold:
            return clock, "matched", processed
        if encoded >= FRAMES_FOR_NOT_MATCHED:
            return clock, "not_matched", processed
        if index == len(frames) - 1:
            return clock, "undecided", processed


def naive_encode(face_recognition, image_rgb):
    boxes = face_recognition.face_locations(image_rgb, number_of_times_to_upsample=1)
    if not boxes:
        return None
    box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
    return face_recognition.face_encodings(image_rgb, [box])[0]


def _naive_pair(job):
    """(probe encoding, chip encoding) of one photo, the naive way (runs in a pool process)."""
    import face_recognition
    path, chip_jpeg = job
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    probe = naive_encode(face_recognition, cv2.cvtColor(image, cv2.COLOR_BGR2RGB)) if image is not None else None
    chip = None
    if chip_jpeg:
        decoded = cv2.imdecode(np.frombuffer(chip_jpeg, np.uint8), cv2.IMREAD_COLOR)
        chip = naive_encode(face_recognition, cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB))
    return probe, chip


def error_rates(references, probes, identities, threshold, metric="euclidean") -> dict:
    """FAR/FRR per pair and per attempt (the minimum over all other photos of one
    person, as a best-of-N decision takes it). A reference without a face can
    accept nobody: its pairs count as rejected (the kiosk sends that citizen to
    the counter)."""
    n = len(references)
    distance = np.full((n, n), np.inf)
    rows = [i for i, r in enumerate(references) if r is not None]
    cols = [j for j, p in enumerate(probes) if p is not None]
    a = np.array([references[i] for i in rows], dtype=np.float64)
    b = np.array([probes[j] for j in cols], dtype=np.float64)
    if metric == "cosine":
        block = 1.0 - a @ b.T
    else:
        block = np.sqrt(np.maximum(0.0, (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T))
    distance[np.ix_(rows, cols)] = block
    np.fill_diagonal(distance, np.inf)
    identities = np.array(identities)
    same = identities[:, None] == identities[None, :]
    off = ~np.eye(n, dtype=bool)
    pair_gen, pair_imp = distance[same & off], distance[~same]
    att_gen, att_imp = [], []
    people = {person: np.flatnonzero(identities == person) for person in sorted(set(identities.tolist()))}
    for i in range(n):
        for person, columns in people.items():
            columns = columns[columns != i]
            if not len(columns):
                continue
            (att_gen if person == identities[i] else att_imp).append(float(distance[i, columns].min()))
    att_gen, att_imp = np.array(att_gen), np.array(att_imp)
    return {"pair_far": float((pair_imp <= threshold).mean()), "pair_frr": float((pair_gen > threshold).mean()),
            "attempt_far": float((att_imp <= threshold).mean()), "attempt_frr": float((att_gen > threshold).mean()),
            "pairs": int(len(pair_gen) + len(pair_imp)), "attempts": int(len(att_gen) + len(att_imp)),
            "refs_without_face": sum(1 for r in references if r is None)}


def p95(values):
    return float(np.percentile(values, 95))


# --- GUI stall + RSS soak through the real worker ----------------------------------------

def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def soak(reference_jpeg: bytes, camera_photo: Path) -> dict:
    from qt_setup import apply_qt_workarounds
    apply_qt_workarounds()
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QObject, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    from devices.camera import SimCamera
    from kiosk.core.face_decision import FaceCheckParams
    from kiosk.face_verification import FaceVerifier

    app = QApplication.instance() or QApplication([])  # noqa: F841 (widgets and signals need an application)
    verifier = FaceVerifier()
    params = FaceCheckParams(THRESHOLD, liveness=False)
    loop = QEventLoop()

    class Driver(QObject):
        """Runs the verifications back to back from the GUI thread's event loop."""
        def __init__(self):
            super().__init__()
            self.results, self.rss = [], {}

        @Slot()
        def next(self):
            verifier.begin(reference_jpeg, THRESHOLD, 2, 20, params=params)

        @Slot(object)
        def on_finished(self, result):
            self.results.append(result)
            if len(self.results) in (RSS_WARM_AT, VERIFICATIONS):
                self.rss[len(self.results)] = rss_mb(verifier.worker_info()["pid"])
            if len(self.results) >= VERIFICATIONS:
                loop.quit()
            else:
                QTimer.singleShot(0, self.next)

    driver = Driver()
    verifier.finished.connect(driver.on_finished)       # queued into the GUI thread
    verifier.models_ready.connect(loop.quit)
    verifier.start()
    guard = QTimer()                 # give up if the models never load
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    guard.start(60000)
    loop.exec()
    guard.stop()
    if not verifier.is_ready():
        raise RuntimeError("face worker did not start")
    verifier.models_ready.disconnect(loop.quit)
    camera = SimCamera(camera_photo, fps=15)
    camera.frame_ready.connect(verifier.offer_frame)
    camera.start()

    clock, gaps = QElapsedTimer(), []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: gaps.append(clock.restart()))
    started = time.monotonic()
    clock.start()
    heartbeat.start(10)
    QTimer.singleShot(0, driver.next)
    loop.exec()
    heartbeat.stop()
    results = driver.results
    camera.close()
    verifier.shutdown()
    return {"gui_stall_ms": max(gaps[1:]), "ticks": len(gaps), "rss_warm_mb": driver.rss[RSS_WARM_AT],
            "rss_end_mb": driver.rss[VERIFICATIONS], "matched": sum(1 for r in results if r.matched),
            "verifications": len(results), "seconds": time.monotonic() - started}


def trial_people(samples) -> dict[str, list]:
    """The people timed: every Western person with >= 2 photos, and every 20th East Asian one."""
    by_identity: dict[str, list] = {}
    for sample in samples:
        if sample.chip is not None and sample.group != "japanese":
            by_identity.setdefault(sample.identity, []).append(sample)
    people = {k: v for k, v in sorted(by_identity.items()) if len(v) >= 2}
    western = {k: v for k, v in people.items() if not v[0].east_asian}
    east = [k for k, v in people.items() if v[0].east_asian][::20]
    return {**western, **{k: people[k] for k in east}}


def main() -> None:
    global THRESHOLD
    import multiprocessing

    import face_calibrate
    from sim.sample_faces import faces_dir
    from kiosk.config import FaceSection
    from kiosk.face_engine import create_engine
    section = FaceSection()
    THRESHOLD = section.threshold
    t0 = time.monotonic()
    print(f"calibration pairs (ours: {section.engine}, threshold {THRESHOLD})...", flush=True)
    samples = face_calibrate.load_samples(verbose=True)
    engine = create_engine(section.engine)
    face_calibrate.encode_samples(engine, samples)
    identities = [sample.identity for sample in samples]
    ours = error_rates([s.chip for s in samples], [s.probe for s in samples], identities, THRESHOLD,
                       engine.metric)

    print(f"calibration pairs (naive face_recognition, tolerance {NAIVE_TOLERANCE}, 2 processes)...", flush=True)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        naive_encodings = pool.map(_naive_pair, [(s.path, s.chip_jpeg) for s in samples], chunksize=8)
    naive = error_rates([chip for _, chip in naive_encodings], [probe for probe, _ in naive_encodings],
                        identities, NAIVE_TOLERANCE)
    far, frr = ours["attempt_far"], ours["attempt_frr"]
    naive_far, naive_frr = naive["attempt_far"], naive["attempt_frr"]
    for name, rates_ in ((f"ours ({section.engine}, threshold {THRESHOLD})", ours),
                         (f"naive (tolerance {NAIVE_TOLERANCE})", naive)):
        print(f"calibration pairs, {name}: single pair FAR {rates_['pair_far']:.4%} FRR {rates_['pair_frr']:.1%} "
              f"({rates_['pairs']} pairs); attempt (best over the person's other photos) "
              f"FAR {rates_['attempt_far']:.3%} FRR {rates_['attempt_frr']:.1%} ({rates_['attempts']} attempts); "
              f"references without a face {rates_['refs_without_face']}", flush=True)

    import face_recognition   # the naive pipeline's library, in this process only
    print("time to a decision, same frames...", flush=True)
    backgrounds = background_frames(40)
    naive_times, our_times, naive_outcomes, our_outcomes = [], [], [], []
    naive_total, our_total = [], []      # from the first frame (includes the citizen's approach)
    in_position_ms = APPROACH_FRAMES / FPS * 1000
    processed = {"naive": 0, "ours": 0}
    for identity, members in trial_people(samples).items():
        reference_sample, others = members[0], members[1:6]
        photos = [cv2.imread(m.path, cv2.IMREAD_COLOR) for m in others]
        frames = session_frames(backgrounds, photos)
        chip = cv2.imdecode(np.frombuffer(reference_sample.chip_jpeg, np.uint8), cv2.IMREAD_COLOR)
        naive_reference = naive_encode(face_recognition, cv2.cvtColor(chip, cv2.COLOR_BGR2RGB))
        if naive_reference is None:
            continue
        seconds, outcome, count = decide(lambda f, t: naive_step(face_recognition, naive_reference, f, t),
                                         frames, NAIVE_TOLERANCE, latest_only=False)
        naive_total.append(seconds * 1000)
        # A decision before the citizen is in position was made on junk frames; count it as 0.
        naive_times.append(max(0.0, seconds * 1000 - in_position_ms))
        naive_outcomes.append(outcome)
        processed["naive"] += count
        seconds, outcome, count = decide(lambda f, t: our_step(engine, reference_sample.chip, f, t),
                                         frames, THRESHOLD, latest_only=True)
        our_total.append(seconds * 1000)
        our_times.append(max(0.0, seconds * 1000 - in_position_ms))
        our_outcomes.append(outcome)
        processed["ours"] += count
    naive_ms, ours_ms = statistics.median(naive_times), statistics.median(our_times)
    matched_ours = [t for t, o in zip(our_times, our_outcomes) if o == "matched"]
    print(f"from the first frame (incl. the {in_position_ms:.0f} ms approach): naive median "
          f"{statistics.median(naive_total):.0f} ms p95 {p95(naive_total):.0f} ms; ours median "
          f"{statistics.median(our_total):.0f} ms p95 {p95(our_total):.0f} ms; ratio "
          f"{statistics.median(naive_total) / statistics.median(our_total):.2f}")
    print("from the moment the citizen is in position (JSON):")
    print(f"trials {len(naive_times)}; naive median {naive_ms:.0f} ms p95 {p95(naive_times):.0f} ms "
          f"outcomes {dict((o, naive_outcomes.count(o)) for o in set(naive_outcomes))}; "
          f"ours median {ours_ms:.0f} ms p95 {p95(our_times):.0f} ms "
          f"outcomes {dict((o, our_outcomes.count(o)) for o in set(our_outcomes))}; matched within 1.5 s: "
          f"{sum(1 for t in matched_ours if t <= 1500)}/{len(matched_ours)}; frames processed "
          f"naive {processed['naive']}, ours {processed['ours']}", flush=True)

    print(f"GUI stall + worker RSS over {VERIFICATIONS} verifications...", flush=True)
    from sim.identities import camera_source_for, chip_photo_jpeg
    soaked = soak(chip_photo_jpeg("elderly", str(faces_dir())), camera_source_for("elderly"))
    print(f"GUI longest gap {soaked['gui_stall_ms']} ms over {soaked['ticks']} ticks; worker RSS "
          f"{soaked['rss_warm_mb']:.1f} MB after {RSS_WARM_AT}, {soaked['rss_end_mb']:.1f} MB after "
          f"{VERIFICATIONS} ({soaked['matched']}/{soaked['verifications']} matched, "
          f"{soaked['seconds']:.0f} s); total {time.monotonic() - t0:.0f} s", flush=True)
    print(json.dumps({
        "engine": section.engine,
        "naive_ms": round(naive_ms, 1), "ours_ms": round(ours_ms, 1),
        "ratio": round(naive_ms / ours_ms, 2) if ours_ms else None,
        "far": round(far, 6), "frr": round(frr, 4), "naive_far": round(naive_far, 6),
        "naive_frr": round(naive_frr, 4), "gui_stall_ms": soaked["gui_stall_ms"],
        "worker_rss_growth_mb": round(soaked["rss_end_mb"] - soaked["rss_warm_mb"], 1),
    }))


if __name__ == "__main__":
    main()
