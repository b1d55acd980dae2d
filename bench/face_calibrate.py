"""Calibrate each face engine's threshold on genuine / impostor pairs from ../shared/faces.

    .venv/bin/python bench/face_calibrate.py                # both engines (sface, dlib)
    .venv/bin/python bench/face_calibrate.py --engine sface # one

Pairs are what the kiosk compares: a **chip-like reference** (the photo cropped
head-and-shoulders around the face, 102x126, JPEG ~3 KB: kiosk.face_compare.
chip_reference, the function `face-compare --chip` uses; the face box comes
from YuNet for every engine, so both engines get the same chips) against a
**camera-like probe** (another, full-size photo, largest face). Both go
through the engine's own code (kiosk.face_engine): the chip exactly as a card
photo (`encode_reference`), the probe as `encode_largest` (the camera's
quality gates are not applied to probes).

* genuine: chip of photo i vs probe of photo j != i, same person;
* impostor: chip of any photo vs probe of any photo of another person;
* East Asian impostor pairs: both people from the East Asian sets
  (nz0001na_asian_faces, famouspeople_asianfaces, lfw_east_asian,
  japanese_portraits); the threshold must meet the target on them alone too.

Near-duplicate photos (the same picture rescaled, e.g. obama-480p / -720p) are
dropped before pairing: their face crops (64x64 grey) correlate > 0.97.

Prints FAR/FRR per threshold and the operating point per engine: the largest
threshold with FAR <= 0.1 % on all impostor pairs AND on the East Asian ones
AND on same-sex East Asian pairs AND per attempt (best of the other photos of
a person, as the kiosk decides best-of-N); the pair-only rule is printed too.
Embeddings live in memory only (biometric data never touches disk, not even as
a cache). Last line: one JSON object, {engine: {threshold, far, frr, ...}}.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.sample_faces import faces_dir  # noqa: E402
from kiosk.face_compare import chip_reference  # noqa: E402
from kiosk.face_engine import ENGINES, create_engine  # noqa: E402

TARGET_FAR = 0.001
# Candidate thresholds per metric, and the value a threshold must stay below
# (the engines' stock defaults, already too loose for East Asian pairs).
GRIDS = {"euclidean": ([round(0.30 + 0.01 * i, 2) for i in range(31)], 0.6),
         "cosine": ([round(0.30 + 0.01 * i, 2) for i in range(41)], 0.637)}
THRESHOLDS, UPPER = GRIDS["euclidean"]          # the default grid of choose_threshold (dlib's)
EAST_ASIAN_SETS = ("nz0001na_asian_faces", "famouspeople_asianfaces", "lfw_east_asian")

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
    group: str              # "lfw", "face_recognition", "japanese", or an East Asian set's folder
    path: str
    sex: str = ""           # "F"/"M" where the set's people.csv says
    east_asian: bool = False
    chip: np.ndarray | None = None
    probe: np.ndarray | None = None
    chip_bytes: int = 0
    chip_jpeg: bytes = b""                # in memory only (bench/face.py uses it as the card photo)
    face_crop: np.ndarray | None = None   # 64x64 grey, only for the duplicate check


def _people(folder: Path) -> dict[str, dict]:
    try:
        with open(folder / "people.csv", newline="", encoding="utf-8") as handle:
            return {row["person_id"]: row for row in csv.DictReader(handle)}
    except OSError:
        return {}


def list_samples(root: Path) -> list[Sample]:
    samples = []
    for person in sorted((root / "lfw_krasserm").iterdir()):
        if person.is_dir():
            samples += [Sample(person.name, "lfw", str(p), sex="M") for p in sorted(person.glob("*.jpg"))]
    for identity, paths in FACE_RECOGNITION_IDENTITIES.items():
        samples += [Sample(identity, "face_recognition", str(root / "face_recognition" / p))
                    for p in paths if (root / "face_recognition" / p).is_file()]
    for photo in sorted((root / "japanese_portraits").iterdir()):
        if photo.suffix.lower() in (".jpg", ".jpeg", ".png"):
            samples.append(Sample("jp_" + photo.stem, "japanese", str(photo), sex="M", east_asian=True))
    for folder_name in EAST_ASIAN_SETS:
        folder = root / folder_name
        if not folder.is_dir():
            continue
        people = _people(folder)
        for person in sorted(p for p in folder.iterdir() if p.is_dir()):
            sex = people.get(person.name, {}).get("sex", "")
            samples += [Sample(person.name, folder_name, str(p), sex=sex, east_asian=True)
                        for p in sorted(person.glob("*.jpg"))]
    return samples


def make_chips(cutter, samples: list[Sample]) -> None:
    """The chip-like reference of every photo (same chips for every engine) and the crop for
    the duplicate check; photos without a face are left without a chip."""
    for sample in samples:
        image = cv2.imread(sample.path, cv2.IMREAD_COLOR)
        if image is None:
            continue
        faces = cutter.detect(image, None)
        if not faces:
            continue
        face = max(faces, key=lambda f: f.width)
        left, top, right, bottom = face.box
        crop = image[max(0, top):max(top + 1, bottom), max(0, left):max(left + 1, right)]
        if crop.size:
            sample.face_crop = cv2.resize(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), (64, 64)).astype(np.float32)
        sample.chip_jpeg = chip_reference(cutter, image) or b""
        sample.chip_bytes = len(sample.chip_jpeg)


def encode_samples(engine, samples: list[Sample]) -> dict:
    """Fill chip/probe embeddings in place; returns counts of misses."""
    misses = {"probe_no_face": 0, "chip_no_face": 0, "chip_no_face_east_asian": 0}
    for sample in samples:
        sample.chip = sample.probe = None
        image = cv2.imread(sample.path, cv2.IMREAD_COLOR)
        if image is not None:
            sample.probe, _ = engine.encode_largest(image)
        if sample.probe is None:
            misses["probe_no_face"] += 1
        if sample.chip_jpeg:
            sample.chip, _ = engine.encode_reference(sample.chip_jpeg)
        if sample.chip is None:
            misses["chip_no_face"] += 1
            misses["chip_no_face_east_asian"] += sample.east_asian
    return misses


def drop_duplicates(samples: list[Sample]) -> int:
    """Remove rescaled copies of the same photo (same identity, face crops correlating > 0.97)."""
    kept: list[Sample] = []
    dropped = 0
    for sample in samples:
        if sample.face_crop is None:
            continue
        a = (sample.face_crop - sample.face_crop.mean()) / (sample.face_crop.std() + 1e-6)
        duplicate = False
        for other in kept:
            if other.identity != sample.identity:
                continue
            b = (other.face_crop - other.face_crop.mean()) / (other.face_crop.std() + 1e-6)
            if float((a * b).mean()) > 0.97:
                duplicate = True
                break
        if duplicate:
            dropped += 1
        else:
            kept.append(sample)
    samples[:] = kept
    return dropped


def distance_matrix(engine, samples: list[Sample]) -> np.ndarray:
    """chip i vs probe j for all i, j (inf where either has no embedding or i == j)."""
    n = len(samples)
    matrix = np.full((n, n), np.inf)
    chips = [(i, s.chip) for i, s in enumerate(samples) if s.chip is not None]
    probes = [(j, s.probe) for j, s in enumerate(samples) if s.probe is not None]
    if not chips or not probes:
        return matrix
    ci, cv = zip(*chips)
    pj, pv = zip(*probes)
    a, b = np.array(cv, dtype=np.float64), np.array(pv, dtype=np.float64)
    if engine.metric == "cosine":
        block = 1.0 - a @ b.T
    else:
        block = np.sqrt(np.maximum(0.0, (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T))
    matrix[np.ix_(ci, pj)] = block
    np.fill_diagonal(matrix, np.inf)
    return matrix


def make_pairs(samples: list[Sample], matrix: np.ndarray):
    """(genuine, impostor, East Asian impostor) distances of all chip-vs-probe pairs. A chip
    without a face accepts nobody: its pairs count at infinite distance (rejected)."""
    identities = np.array([s.identity for s in samples])
    east = np.array([s.east_asian for s in samples])
    has_probe = np.array([s.probe is not None for s in samples])
    same = identities[:, None] == identities[None, :]
    off_diagonal = ~np.eye(len(samples), dtype=bool)
    valid = off_diagonal & has_probe[None, :]
    genuine = matrix[same & valid]
    impostor_mask = ~same & valid
    east_mask = impostor_mask & east[:, None] & east[None, :]
    return genuine, matrix[impostor_mask], matrix[east_mask]


def sex_pairs(samples: list[Sample], matrix: np.ndarray, sex: str) -> np.ndarray:
    """East Asian impostor distances where both people are of `sex`."""
    identities = np.array([s.identity for s in samples])
    mask_people = np.array([s.east_asian and s.sex == sex for s in samples])
    has_probe = np.array([s.probe is not None for s in samples])
    mask = (identities[:, None] != identities[None, :]) & mask_people[:, None] & mask_people[None, :] \
        & has_probe[None, :]
    return matrix[mask]


def attempt_pairs(samples: list[Sample], matrix: np.ndarray | None = None):
    """Best-of-N at attempt level, as the kiosk decides: one chip against all
    photos of one person (the "frames" of an attempt), keeping the minimum.
    Returns (genuine minima, impostor minima, East Asian impostor minima)."""
    if matrix is None:   # small sample lists (tests): Euclidean, like the dlib engine
        matrix = np.full((len(samples), len(samples)), np.inf)
        for i, ref in enumerate(samples):
            for j, probe in enumerate(samples):
                if i != j and ref.chip is not None and probe.probe is not None:
                    matrix[i, j] = float(np.linalg.norm(ref.chip - probe.probe))
    by_identity: dict[str, list[int]] = {}
    for j, sample in enumerate(samples):
        if sample.probe is not None:
            by_identity.setdefault(sample.identity, []).append(j)
    genuine, impostor, east = [], [], []
    for i, ref in enumerate(samples):
        if ref.chip is None and not ref.chip_jpeg:
            continue          # not a reference at all (no chip was made); a chip without a face rejects
        for identity, columns in by_identity.items():
            columns = [j for j in columns if j != i]
            if not columns:
                continue
            best = float(matrix[i, columns].min())
            if identity == ref.identity:
                genuine.append(best)
            else:
                impostor.append(best)
                if ref.east_asian and samples[columns[0]].east_asian:
                    east.append(best)
    return np.array(genuine), np.array(impostor), np.array(east)


def rates(genuine: np.ndarray, impostor: np.ndarray, threshold: float) -> tuple[float, float]:
    far = float((impostor <= threshold).mean()) if len(impostor) else 0.0
    frr = float((genuine > threshold).mean()) if len(genuine) else 0.0
    return far, frr


def choose_threshold(genuine, impostor, east_asian=None, target_far: float = TARGET_FAR,
                     grid: list[float] = THRESHOLDS, upper: float = UPPER, also=()) -> float:
    """Largest threshold below `upper` with FAR <= target on all impostor pairs and, when
    given, also on the East Asian impostor pairs alone (pooled over a million pairs, a
    threshold can meet 0.1 % while accepting many more East Asian impostors), and on each
    further set of impostor distances in `also` (same-sex pairs, attempts)."""
    groups = [g for g in ([east_asian] if east_asian is not None else []) + list(also) if len(g)]

    def ok(t):
        if t >= upper or rates(genuine, impostor, t)[0] > target_far:
            return False
        return all(float((group <= t).mean()) <= target_far for group in groups)
    passing = [t for t in grid if ok(t)]
    return max(passing) if passing else grid[0]


def equal_error_rate(genuine, impostor) -> tuple[float, float]:
    """(EER, threshold): where FAR and FRR cross, searched over the distances' quantiles."""
    finite = np.concatenate([genuine[np.isfinite(genuine)], impostor[np.isfinite(impostor)]])
    best_gap, best = None, (1.0, 0.0)
    for t in np.quantile(finite, np.linspace(0, 1, 801)):
        far, frr = rates(genuine, impostor, t)
        if best_gap is None or abs(far - frr) < best_gap:
            best_gap, best = abs(far - frr), ((far + frr) / 2, float(t))
    return best


def calibrate_engine(name: str, samples: list[Sample], verbose: bool = True) -> dict:
    started = time.monotonic()
    engine = create_engine(name, blink=False)
    grid, upper = GRIDS[engine.metric]
    misses = encode_samples(engine, samples)
    encode_s = time.monotonic() - started
    matrix = distance_matrix(engine, samples)
    genuine, impostor, east_asian = make_pairs(samples, matrix)
    pooled = choose_threshold(genuine, impostor, None, grid=grid, upper=upper)
    issue_rule = choose_threshold(genuine, impostor, east_asian, grid=grid, upper=upper)
    att_gen, att_imp, att_east = attempt_pairs(samples, matrix)
    by_sex = {sex: sex_pairs(samples, matrix, sex) for sex in ("F", "M")}
    # The kiosk's rule: also same-sex East Asian pairs (an impostor borrows a card of
    # someone of their own sex) and attempts (the kiosk decides best-of-N).
    chosen = choose_threshold(genuine, impostor, east_asian, grid=grid, upper=upper,
                              also=(by_sex["F"], by_sex["M"], att_imp, att_east))
    far, frr = rates(genuine, impostor, chosen)
    attempt_far, attempt_frr = rates(att_gen, att_imp, chosen)
    eer, eer_at = equal_error_rate(genuine, impostor)
    if verbose:
        print(f"\n== {name} ({engine.metric} distance): embeddings {encode_s:.0f} s, misses {misses}")
        print(f"pairs: genuine {len(genuine)}, impostor {len(impostor)} (East Asian impostor {len(east_asian)}: "
              f"women {len(by_sex['F'])}, men {len(by_sex['M'])})")
        finite = genuine[np.isfinite(genuine)]
        print(f"genuine distance median {np.median(finite):.3f} p95 {np.percentile(finite, 95):.3f}; "
              f"impostor min {impostor.min():.3f} p0.1 {np.percentile(impostor, 0.1):.3f}; "
              f"East Asian impostor min {east_asian.min():.3f}; EER {eer:.2%} at {eer_at:.3f}")
        print(f"{'threshold':>9} {'FAR':>9} {'FA':>6} {'FRR':>7} {'EA FAR':>8} {'EA FA':>6} {'EA F FAR':>9} "
              f"{'EA M FAR':>9} {'att FAR':>8} {'att FRR':>8}")
        for t in grid:
            if t >= upper + 0.05:
                break
            t_far, t_frr = rates(genuine, impostor, t)
            a_far, a_frr = rates(att_gen, att_imp, t)
            print(f"{t:>9.2f} {t_far:>9.4%} {int((impostor <= t).sum()):>6} {t_frr:>7.1%} "
                  f"{float((east_asian <= t).mean()):>8.3%} {int((east_asian <= t).sum()):>6} "
                  f"{float((by_sex['F'] <= t).mean()):>9.3%} {float((by_sex['M'] <= t).mean()):>9.3%} "
                  f"{a_far:>8.3%} {a_frr:>8.1%}")
        i_far, i_frr = rates(genuine, impostor, issue_rule)
        print(f"FAR <= 0.1 % on all pairs and on East Asian pairs: {issue_rule:.2f}, FRR {i_frr:.1%} per pair, "
              f"attempt FAR {rates(att_gen, att_imp, issue_rule)[0]:.3%} FRR {rates(att_gen, att_imp, issue_rule)[1]:.1%}")
        p_far, p_frr = rates(genuine, impostor, pooled)
        print(f"pooled rule alone (FAR <= 0.1 % over all pairs): {pooled:.2f}, FRR {p_frr:.1%}, "
              f"East Asian FAR {float((east_asian <= pooled).mean()):.2%}")
        print(f"operating point (FAR <= 0.1 % on all pairs, East Asian pairs, same-sex East Asian pairs "
              f"and attempts): {chosen:.2f} -> "
              f"FAR {far:.4%} ({int((impostor <= chosen).sum())}/{len(impostor)}), East Asian FAR "
              f"{float((east_asian <= chosen).mean()):.4%} ({int((east_asian <= chosen).sum())}/{len(east_asian)}), "
              f"FRR {frr:.1%} per pair; attempt (best-of-N) FAR {attempt_far:.3%} "
              f"({int((att_imp <= chosen).sum())}/{len(att_imp)}), FRR {attempt_frr:.1%} "
              f"({int((att_gen > chosen).sum())}/{len(att_gen)})", flush=True)
    return {"threshold": chosen, "pair_rule_threshold": issue_rule, "pooled_rule_threshold": pooled, "far": round(far, 6), "frr": round(frr, 4),
            "east_asian_far": round(float((east_asian <= chosen).mean()), 6),
            "attempt_far": round(attempt_far, 6), "attempt_frr": round(attempt_frr, 4),
            "eer": round(eer, 4), "genuine_pairs": int(len(genuine)), "impostor_pairs": int(len(impostor)),
            "east_asian_impostor_pairs": int(len(east_asian)), "chips_without_face": misses["chip_no_face"],
            "seconds": round(time.monotonic() - started, 1),
            "_genuine": genuine, "_impostor": impostor, "_matrix": matrix}


def load_samples(verbose: bool = True) -> list[Sample]:
    samples = list_samples(faces_dir())
    make_chips(create_engine("sface", blink=False), samples)
    duplicates = drop_duplicates(samples)
    if verbose:
        people = {s.identity for s in samples}
        east = {s.identity for s in samples if s.east_asian}
        women = {s.identity for s in samples if s.east_asian and s.sex == "F"}
        print(f"photos {len(samples)} (duplicates dropped {duplicates}), people {len(people)} "
              f"({len(east)} East Asian, {len(women)} of them women); chip JPEG median "
              f"{int(np.median([s.chip_bytes for s in samples if s.chip_bytes]))} bytes", flush=True)
    return samples


def calibrate(engines=tuple(ENGINES), verbose: bool = True) -> dict:
    samples = load_samples(verbose)
    results = {name: calibrate_engine(name, samples, verbose) for name in engines}
    results["_samples"] = samples
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=tuple(ENGINES), action="append",
                        help="calibrate this engine only (repeatable; default: all)")
    args = parser.parse_args(argv)
    results = calibrate(tuple(args.engine or ENGINES))
    print(json.dumps({name: {k: v for k, v in r.items() if not k.startswith("_")}
                      for name, r in results.items() if not name.startswith("_")}))


if __name__ == "__main__":
    main()
