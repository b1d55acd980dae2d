"""`python main.py face-compare`: compare face photos with the configured engine and threshold.

    python main.py face-compare [--json] [--chip] [--config FILE] REFERENCE PROBE
    python main.py face-compare [--chip] [--config FILE] --pairs FILE

For technicians, and to check a deployment's calibration on consented photos.
`--chip` first degrades the reference exactly as a card's chip photo (102x126,
JPEG ~3 KB, head-and-shoulders crop around the face: `chip_reference`, the
same function bench/face_calibrate.py builds its references with). `--pairs`
reads CSV lines `reference,probe` and prints one JSON line per pair:

    {"reference": ..., "probe": ..., "distance": ..., "threshold": ..., "match": true|false, "engine": ...}
    {"reference": ..., "probe": ..., "error": "no_face_in_reference"|"no_face_in_probe"|"unreadable_reference"|...}

The photos are read from the given paths and nothing is written: embeddings
stay in memory (biometric data never touches disk). Exit codes: 0 done (every
pair compared, match or not), 1 some pair could not be compared, 2 bad
arguments or configuration (one line on stderr).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # one line and exit 2, like every kiosk command
        print(f"face-compare: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def chip_reference(detector_engine, bgr) -> bytes | None:
    """The photo as a card chip would hold it (None without a face): the largest face
    found by `detector_engine`, cropped head-and-shoulders, 102x126, JPEG ~3 KB."""
    from devices.id_reader.chip_photo import make_chip_photo
    faces = detector_engine.detect(bgr, None)
    if not faces:
        return None
    face = max(faces, key=lambda f: f.width)
    return make_chip_photo(bgr, face.box)


def _read(path: str):
    import cv2
    import numpy as np
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return image if image is not None and min(image.shape[:2]) >= 8 else None


class Comparer:
    """The configured engine (and, for --chip, the detector that cuts chips), loaded once."""

    def __init__(self, engine_name: str, threshold: float, chip: bool):
        from kiosk.face_engine import create_engine
        self.engine = create_engine(engine_name, blink=False)
        self.threshold = threshold
        self.chip = chip
        self._chip_cutter = self.engine if engine_name == "sface" else (
            create_engine("sface", blink=False) if chip else None)
        self._references: dict[str, object] = {}

    def _reference(self, path: str):
        if path in self._references:
            return self._references[path]
        image = _read(path)
        if image is None:
            result = "unreadable_reference"
        elif self.chip:
            jpeg = chip_reference(self._chip_cutter, image)
            embedding, how = self.engine.encode_reference(jpeg) if jpeg else (None, "no_face_in_photo")
            result = embedding if embedding is not None else "no_face_in_reference"
        else:
            embedding, _ = self.engine.encode_largest(image)
            result = embedding if embedding is not None else "no_face_in_reference"
        self._references[path] = result
        return result

    def compare(self, reference: str, probe: str) -> dict:
        out = {"reference": reference, "probe": probe}
        ref = self._reference(reference)
        if isinstance(ref, str):
            return {**out, "error": ref}
        image = _read(probe)
        if image is None:
            return {**out, "error": "unreadable_probe"}
        embedding, _ = self.engine.encode_largest(image)
        if embedding is None:
            return {**out, "error": "no_face_in_probe"}
        distance = self.engine.distance(ref, embedding)
        return {**out, "distance": round(distance, 4), "threshold": self.threshold,
                "match": distance <= self.threshold, "engine": self.engine.name}


def _pairs(path: str) -> list[tuple[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle) if row and not row[0].lstrip().startswith("#")]
    except (OSError, UnicodeDecodeError) as exc:
        print(f"face-compare: cannot read --pairs {path}: {exc}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    pairs = []
    for number, row in enumerate(rows, 1):
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            print(f"face-compare: --pairs line {number}: expected 'reference,probe'", file=sys.stderr)
            sys.exit(EXIT_USAGE)
        pairs.append((row[0].strip(), row[1].strip()))
    return pairs


def main(argv: list[str], default_config: str) -> int:
    parser = _Parser(prog="kiosk face-compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", nargs="?", help="reference photo (e.g. a card or ID photo)")
    parser.add_argument("probe", nargs="?", help="probe photo (e.g. a camera picture)")
    parser.add_argument("--pairs", metavar="FILE", help="CSV file of 'reference,probe' lines; one JSON line each")
    parser.add_argument("--chip", action="store_true", help="degrade the reference like a card's chip photo first")
    parser.add_argument("--json", action="store_true", help="print one JSON object (single pair)")
    parser.add_argument("--config", default=default_config, help="configuration file (engine, threshold)")
    args = parser.parse_args(argv)
    if bool(args.pairs) == bool(args.reference or args.probe):
        parser.error("give REFERENCE and PROBE, or --pairs FILE")
    if not args.pairs and not (args.reference and args.probe):
        parser.error("give both REFERENCE and PROBE")
    pairs = _pairs(args.pairs) if args.pairs else [(args.reference, args.probe)]

    from kiosk.config import ConfigError, config_from_dict, load_config
    try:
        # Only [face] is read and no device is opened, so the example kiosk.toml's simulated
        # devices are accepted (demo=True) as on a test bench.
        config = (load_config(args.config, demo=True) if Path(args.config).exists()
                  else config_from_dict({}, demo=True))
    except ConfigError as exc:
        print(f"face-compare: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from kiosk.face_engine import FaceModelError
    try:
        comparer = Comparer(config.face.engine, config.face.threshold, args.chip)
    except FaceModelError as exc:
        print(f"face-compare: {exc}", file=sys.stderr)
        return EXIT_USAGE
    failed = 0
    for reference, probe in pairs:
        result = comparer.compare(reference, probe)
        failed += "error" in result
        if args.pairs or args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
        elif "error" in result:
            print(f"{reference} vs {probe}: {result['error']}")
        else:
            verdict = "MATCH" if result["match"] else "no match"
            print(f"{reference} vs {probe}: distance {result['distance']:.4f} "
                  f"(threshold {result['threshold']}, {result['engine']}): {verdict}")
    return EXIT_SOME_FAILED if failed else EXIT_OK
