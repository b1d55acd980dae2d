"""Face-check vocabulary shared by the engine, the decision and the screens (domain core).

Feedback codes are what one camera frame told us about the face (also the
on-screen hint keys); the frame modes say what the engine is asked to do with a
frame. They live in the core so that `kiosk.core.face_decision` (pure logic)
needs nothing from `kiosk.face_engine` (models, OpenCV); the engine imports
them from here.
"""
from __future__ import annotations

# Feedback codes (also on-screen hint keys).
OK = "ok"
NO_FACE = "no_face"
MULTIPLE_FACES = "multiple_faces"
TOO_SMALL = "too_small"
TOO_DARK = "too_dark"
TOO_BRIGHT = "too_bright"
BLURRY = "blurry"
NOT_FRONTAL = "not_frontal"
STALE = "stale"

VERIFY, CHALLENGE = "verify", "challenge"   # frame modes
