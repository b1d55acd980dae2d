"""Cameras. `create_camera(section)` builds the configured one."""
from __future__ import annotations

from devices.camera.interface import Camera
from devices.camera.opencv import OpenCvCamera
from devices.camera.sim import SimCamera
from kiosk.settings import CAMERA_BACKENDS, CameraSection, checked_backend

__all__ = ["CAMERA_BACKENDS", "Camera", "OpenCvCamera", "SimCamera", "create_camera"]


def create_camera(section: CameraSection, sim_identity: str = "elderly") -> Camera:
    """`section` is the validated `[devices.camera]` table (`kiosk.settings.CameraSection`): every
    value, default included, comes from there (each backend's keys: `CAMERA_BACKENDS`).

    For the sim backend an empty `source` means "another photo of the sample
    card holder" (`sim_identity`, normally `[devices.id_reader].identity`), so
    the face check has a genuine pair to compare.
    """
    backend = checked_backend(section, CameraSection, CAMERA_BACKENDS, "create_camera", "devices.camera")
    if backend == "sim":
        source = section.source
        if not source:
            from sim.identities import camera_source_for
            source = camera_source_for(sim_identity)
        return SimCamera(source, fps=section.fps, loop=True, scenario=section.scenario)
    return OpenCvCamera(section.device, width=section.width, height=section.height, fps=section.fps)   # "opencv"
