"""Cameras. `create_camera(section)` builds the configured one."""
from __future__ import annotations

from devices.camera.interface import Camera
from devices.camera.opencv import OpenCvCamera
from devices.camera.sim import SimCamera
from devices.config_section import as_dict

__all__ = ["Camera", "OpenCvCamera", "SimCamera", "create_camera"]


def create_camera(section, sim_identity: str = "elderly") -> Camera:
    """`section` is the `[devices.camera]` table (dict or its config dataclass).

    For the sim backend an empty `source` means "another photo of the sample
    card holder" (`sim_identity`, normally `[devices.id_reader].identity`), so
    the face check has a genuine pair to compare.
    """
    section = as_dict(section)
    backend = section.get("backend", "sim")
    fps = section.get("fps", 10)
    if backend == "sim":
        source = section.get("source") or ""
        scenario = section.get("scenario", "ok")
        if not source:
            from devices.id_reader.sim_identities import camera_source_for
            source = camera_source_for(sim_identity, section.get("faces_dir") or None)
        return SimCamera(source, fps=fps, loop=True, scenario=scenario,
                         unplug_after_s=section.get("unplug_after_s", 3.0))
    if backend == "opencv":
        return OpenCvCamera(section.get("device", "0"), width=section.get("width", 640),
                            height=section.get("height", 480), fps=fps)
    raise ValueError(f"devices.camera.backend: unknown backend {backend!r} (available: sim, opencv)")
