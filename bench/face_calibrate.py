"""Calibrate the face threshold on genuine / impostor pairs from ../shared/faces.

    .venv/bin/python bench/face_calibrate.py

Pairs are what the kiosk compares: a **chip-like reference** (the photo cropped
head-and-shoulders, 102x126, JPEG ~3 KB, exactly as the simulated card reader
makes it) against a **camera-like probe** (another, full-size photo), both
encoded through the kiosk's own worker code (kiosk.face_worker.FaceEngine:
the chip exactly as a card photo, HOG upsample 2; the probe found with HOG
upsample 1 on the full photo, then the same landmarks + encoder as a camera
frame; the camera's quality gates are not applied to probes).

* genuine: chip of photo i vs probe of photo j != i, same identity;
* impostor: chip of any photo vs probe of any photo of another identity.
  `japanese_portraits` (10 different Japanese men, one photo each) are impostor
  material only: the East Asian pairs the issue worries about.

Near-duplicate photos (the same picture rescaled, e.g. obama-480p / -720p) are
dropped before pairing: their aligned 150x150 face chips correlate > 0.97.

Prints FAR/FRR per threshold and the operating point: the largest threshold
with FAR <= 0.1 % on these pairs (must be < 0.6). Encodings live in memory
only (biometric data never touches disk, not even as a cache). Last line: JSON.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.id_reader.chip_photo import make_chip_photo  # noqa: E402
from devices.sample_faces import faces_dir  # noqa: E402
from kiosk.face_worker import FaceEngine  # noqa: E402

TARGET_FAR = 0.001
THRESHOLDS = [round(0.30 + 0.01 * i, 2) for i in range(31)]   # 0.30 .. 0.60

# face_recognition's folder: single-person photos by identity (group photos and
# partial faces left out; exact rescales are removed by the duplicate check).
FACE_RECOGNITION_IDENTITIES = {
    "obama": ["examples/obama.jpg", "examples/obama2.jpg", "examples/obama-480p.jpg",
              "examples/obama_small.jpg", "examples/knn_examples/train/obama/obama.jpg",
              "examples/knn_examples/train/obama/obama2.jpg", "examples/knn_examples/test/obama1.jpg",
              "tests/test_images/obama.jpg", "tests/test_images/obama2.jpg", "tests/test_images/obama3.jpg"],
    "biden": ["examples/biden.jpg", "examples/knn_examples/train/biden/biden.jpg",
              "examples/knn_examples/train/biden/biden2.jpg", "tests/test_images/biden.jpg"],
    "kit_harington": ["examples/knn_examples/train/kit_harington/john1.jpeg",
                      "examples/knn_examples/train/kit_harington/john2.jpeg",
                      "examples/knn_examples/test/johnsnow_test1.jpg"],
    "rose_leslie": ["examples/knn_examples/train/rose_leslie/img1.jpg",
                    "examples/knn_examples/train/rose_leslie/img2.jpg"],
    "alex_lacamoire": ["examples/knn_examples/train/alex_lacamoire/img1.jpg",
                       "examples/knn_examples/test/alex_lacamoire1.jpg", "examples/alex-lacamoire.png"],
    "lin_manuel_miranda": ["examples/lin-manuel-miranda.png"],
}


@dataclass
class Sample:
    identity: str
    group: str              # "lfw", "face_recognition", "japanese"
    path: str
    chip: np.ndarray | None = None
    probe: np.ndarray | None = None
    chip_bytes: int = 0
    chip_jpeg: bytes = b""                # in memory only (bench/face.py re-encodes it the naive way)
    face_chip: np.ndarray | None = None   # aligned 150x150 grey, only for the duplicate check


def list_samples(root: Path) -> list[Sample]:
    samples = []
    for person in sorted((root / "lfw_krasserm").iterdir()):
        if person.is_dir():
            samples += [Sample(person.name, "lfw", str(p)) for p in sorted(person.glob("*.jpg"))]
    for identity, paths in FACE_RECOGNITION_IDENTITIES.items():
        samples += [Sample(identity, "face_recognition", str(root / "face_recognition" / p))
                    for p in paths if (root / "face_recognition" / p).is_file()]
    for photo in sorted((root / "japanese_portraits").iterdir()):
        samples.append(Sample("jp_" + photo.stem, "japanese", str(photo)))
    return samples


def encode_samples(engine: FaceEngine, samples: list[Sample]) -> dict:
    """Fill chip/probe encodings in place; returns counts of misses."""
    import dlib
    misses = {"probe_no_face": 0, "chip_no_face": 0, "chip_no_face_japanese": 0}
    for sample in samples:
        image = cv2.imread(sample.path, cv2.IMREAD_COLOR)
        if image is None:
            misses["probe_no_face"] += 1
            continue
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        faces = engine.detect(rgb, max_side=max(rgb.shape[:2]), upsample=1)
        if not faces:
            misses["probe_no_face"] += 1
            continue
        box = max(faces, key=lambda r: r.width() * r.height())
        shape = engine._shape(rgb, box)
        sample.probe = engine._encoder_descriptor(rgb, shape)
        chip_face = dlib.get_face_chip(rgb, shape, size=150)
        sample.face_chip = cv2.cvtColor(chip_face, cv2.COLOR_RGB2GRAY).astype(np.float32)
        jpeg = make_chip_photo(image, (box.left(), box.top(), box.right(), box.bottom()))
        sample.chip_bytes = len(jpeg)
        sample.chip_jpeg = jpeg
        sample.chip, how = engine.encode_reference(jpeg)
        if sample.chip is None:
            misses["chip_no_face"] += 1
            misses["chip_no_face_japanese"] += sample.group == "japanese"
    return misses


def drop_duplicates(samples: list[Sample]) -> int:
    """Remove rescaled copies of the same photo (same identity, face chips correlating > 0.97)."""
    kept: list[Sample] = []
    dropped = 0
    for sample in samples:
        if sample.face_chip is None:
            continue
        a = (sample.face_chip - sample.face_chip.mean()) / (sample.face_chip.std() + 1e-6)
        duplicate = False
        for other in kept:
            if other.identity != sample.identity:
                continue
            b = (other.face_chip - other.face_chip.mean()) / (other.face_chip.std() + 1e-6)
            if float((a * b).mean()) > 0.97:
                duplicate = True
                break
        if duplicate:
            dropped += 1
        else:
            kept.append(sample)
    samples[:] = kept
    return dropped


def make_pairs(samples: list[Sample]):
    """(genuine distances, impostor distances, east-asian impostor distances) chip vs probe."""
    genuine, impostor, east_asian = [], [], []
    for i, ref in enumerate(samples):
        if ref.chip is None:
            continue
        for j, probe in enumerate(samples):
            if i == j or probe.probe is None:
                continue
            distance = float(np.linalg.norm(ref.chip - probe.probe))
            if ref.identity == probe.identity:
                genuine.append(distance)
            else:
                impostor.append(distance)
                if ref.group == "japanese" and probe.group == "japanese":
                    east_asian.append(distance)
    return np.array(genuine), np.array(impostor), np.array(east_asian)


def attempt_pairs(samples: list[Sample]):
    """Best-of-N at attempt level, as the kiosk decides: one chip against all
    photos of one person (the "frames" of an attempt), keeping the minimum.
    Returns (genuine minima, impostor minima)."""
    by_identity: dict[str, list[Sample]] = {}
    for sample in samples:
        if sample.probe is not None:
            by_identity.setdefault(sample.identity, []).append(sample)
    genuine, impostor = [], []
    for ref in samples:
        if ref.chip is None:
            continue
        for identity, probes in by_identity.items():
            distances = [float(np.linalg.norm(ref.chip - p.probe)) for p in probes if p is not ref]
            if not distances:
                continue
            (genuine if identity == ref.identity else impostor).append(min(distances))
    return np.array(genuine), np.array(impostor)


def rates(genuine: np.ndarray, impostor: np.ndarray, threshold: float) -> tuple[float, float]:
    far = float((impostor <= threshold).mean()) if len(impostor) else 0.0
    frr = float((genuine > threshold).mean()) if len(genuine) else 0.0
    return far, frr


def choose_threshold(genuine, impostor, east_asian=None, target_far: float = TARGET_FAR) -> float:
    """Largest threshold < 0.6 with FAR <= target on all impostor pairs and, when
    given, also on the East Asian impostor pairs alone: pooled over ~14,000 mostly
    Western pairs, a threshold can meet 0.1 % while accepting 1 in 6 Japanese pairs."""
    def ok(t):
        if t >= 0.6 or rates(genuine, impostor, t)[0] > target_far:
            return False
        return east_asian is None or float((east_asian <= t).mean()) <= target_far
    passing = [t for t in THRESHOLDS if ok(t)]
    return max(passing) if passing else THRESHOLDS[0]


def calibrate(verbose: bool = True) -> dict:
    started = time.monotonic()
    engine = FaceEngine()
    samples = list_samples(faces_dir())
    misses = encode_samples(engine, samples)
    duplicates = drop_duplicates(samples)
    genuine, impostor, east_asian = make_pairs(samples)
    pooled = choose_threshold(genuine, impostor)
    chosen = choose_threshold(genuine, impostor, east_asian)
    identities = sorted({s.identity for s in samples})
    if verbose:
        print(f"photos {len(samples)} (duplicates dropped {duplicates}, misses {misses}), "
              f"identities {len(identities)} "
              f"({sum(1 for s in identities if s.startswith('jp_'))} Japanese, impostor only)")
        print(f"chip JPEG size median {int(np.median([s.chip_bytes for s in samples]))} bytes")
        print(f"pairs: genuine {len(genuine)}, impostor {len(impostor)} "
              f"(East Asian impostor {len(east_asian)})")
        print(f"genuine distance median {np.median(genuine):.3f} p95 {np.percentile(genuine, 95):.3f}; "
              f"impostor min {impostor.min():.3f} p1 {np.percentile(impostor, 1):.3f}; "
              f"East Asian impostor min {east_asian.min():.3f}")
        print(f"{'threshold':>9} {'FAR':>9} {'FA':>6} {'FRR':>7} {'EA FAR':>8}")
        for t in THRESHOLDS:
            far, frr = rates(genuine, impostor, t)
            ea_far = float((east_asian <= t).mean())
            print(f"{t:>9.2f} {far:>9.4%} {int((impostor <= t).sum()):>6} {frr:>7.1%} {ea_far:>8.1%}")
        far, frr = rates(genuine, impostor, pooled)
        print(f"pooled rule (FAR <= 0.1 % over all pairs) alone: threshold {pooled:.2f}, FAR {far:.4%}, "
              f"FRR {frr:.1%}, but East Asian FAR {float((east_asian <= pooled).mean()):.1%} "
              f"({int((east_asian <= pooled).sum())}/{len(east_asian)})")
        far, frr = rates(genuine, impostor, chosen)
        print(f"operating point (FAR <= 0.1 % pooled AND on East Asian pairs): threshold {chosen:.2f} -> FAR {far:.4%} "
              f"({int((impostor <= chosen).sum())}/{len(impostor)}), FRR {frr:.1%} single frame; "
              f"one false accept among {len(impostor)} pairs = {1 / len(impostor):.4%}")
    attempt_genuine, attempt_impostor = attempt_pairs(samples)
    attempt_far, attempt_frr = rates(attempt_genuine, attempt_impostor, chosen)
    if verbose:
        print(f"attempt level (best of all other photos of one person, like best-of-N frames): "
              f"FAR {attempt_far:.3%} ({int((attempt_impostor <= chosen).sum())}/{len(attempt_impostor)}), "
              f"FRR {attempt_frr:.1%} ({int((attempt_genuine > chosen).sum())}/{len(attempt_genuine)})")
    far, frr = rates(genuine, impostor, chosen)
    return {"threshold": chosen, "pooled_rule_threshold": pooled, "far": far, "frr": frr,
            "attempt_far": attempt_far, "attempt_frr": attempt_frr, "genuine_pairs": int(len(genuine)),
            "impostor_pairs": int(len(impostor)), "east_asian_impostor_pairs": int(len(east_asian)),
            "east_asian_far": float((east_asian <= chosen).mean()),
            "identities": len(identities), "photos": len(samples),
            "seconds": round(time.monotonic() - started, 1),
            "_samples": samples, "_genuine": genuine, "_impostor": impostor}


if __name__ == "__main__":
    result = calibrate()
    print(json.dumps({k: v for k, v in result.items() if not k.startswith("_")}))
