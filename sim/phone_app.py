"""The citizen's government app, simulated (tests and the demo drive it).

It talks to the reference platform's phone-app endpoints (`/app/...`, the app backend's
stand-in) as the signed-in holder of one ID number, and shows its code to the simulated
camera the way a citizen holds a phone up to the kiosk:

    phone = PhoneApp(platform_url, id_number)
    code = phone.show_code_to(camera)            # a fresh dynamic code, on the phone's screen, in view
    ...; phone.take_away(camera)
    phone.confirm_login(user_code)               # the kiosk's login QR, confirmed in the app
    phone.confirm_login(user_code, approve=False)   # ... or declined

`degradation` shows the phone as a camera might see it (sim/code_scenes.py: blur, glare, ...).
"""
from __future__ import annotations

import requests

from sim.code_scenes import code_scene


class PhoneAppError(RuntimeError):
    pass


class PhoneApp:
    def __init__(self, platform_url: str, id_number: str, *, timeout_s: float = 5.0):
        self.platform_url = platform_url.rstrip("/")
        self.id_number = id_number
        self.timeout_s = timeout_s

    def _post(self, path: str, body: dict) -> dict:
        response = requests.post(self.platform_url + path, json=body, timeout=self.timeout_s)
        if response.status_code != 200:
            raise PhoneAppError(f"{path}: HTTP {response.status_code} {response.text[:200]}")
        return response.json()

    def identity_code(self) -> str:
        """A fresh dynamic identity code (what the app's "identity code" page shows)."""
        return self._post("/app/identity-codes", {"id_number": self.id_number})["code"]

    def code_frame(self, code: str, degradation: str = "sharp", seed: int = 11):
        """The phone held up to the camera, showing `code`: a 1280x720 BGR frame."""
        return code_scene(code, "qr", degradation=degradation, seed=seed)

    def show_code_to(self, camera, code: str | None = None, degradation: str = "sharp") -> str:
        """Holds the phone (with a fresh code, or `code`) up to a SimCamera; returns the code shown."""
        code = code or self.identity_code()
        camera.show(self.code_frame(code, degradation))
        return code

    @staticmethod
    def take_away(camera) -> None:
        camera.show(None)

    def confirm_login(self, user_code: str, approve: bool = True) -> dict:
        """The holder scanned the kiosk's login QR and pressed Confirm (or Decline) in the app."""
        return self._post("/app/device-authorizations/decision",
                          {"user_code": user_code, "id_number": self.id_number, "approve": approve})

    @staticmethod
    def user_code_from_qr(payload: str) -> str:
        """The user code in the kiosk's login QR (verification_uri_complete ...?user_code=XXXX)."""
        from urllib.parse import parse_qs, urlsplit
        values = parse_qs(urlsplit(payload).query).get("user_code")
        if not values:
            raise PhoneAppError("not a kiosk login QR")
        return values[0]
