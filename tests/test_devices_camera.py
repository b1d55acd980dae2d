"""SimCamera (still image, video file, synthetic scenarios) and OpenCvCamera without hardware."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QThread

from devices.base import DeviceStatus
from devices.camera import OpenCvCamera, SimCamera, create_camera
from sim.identities import camera_source_for
from sim.sample_faces import faces_dir
from kiosk.config import CameraSection

VIDEO = faces_dir() / "face_recognition" / "examples" / "short_hamilton_clip.mp4"


def _first_video_frame():
    import cv2
    capture = cv2.VideoCapture(str(VIDEO))
    ok, frame = capture.read()
    capture.release()
    return frame if ok else None


VIDEO_FIRST_FRAME = _first_video_frame()


@pytest.fixture
def cameras(qtbot):
    made = []
    yield made
    for camera in made:
        camera.close()


def _collect(qtbot, camera, count, timeout_ms=5000):
    frames, threads = [], []

    def on_frame(frame):
        frames.append(frame)
        threads.append(QThread.currentThread())

    camera.frame_ready.connect(on_frame)
    camera.start()
    qtbot.waitUntil(lambda: len(frames) >= count, timeout=timeout_ms)
    return frames, threads


def test_still_image_is_replayed(qtbot, cameras):
    camera = SimCamera(camera_source_for("elderly"), fps=20)
    cameras.append(camera)
    assert camera.latest_frame() is None
    frames, threads = _collect(qtbot, camera, 5)
    assert all(f.dtype == np.uint8 and f.ndim == 3 and f.shape[2] == 3 for f in frames)
    assert all(thread is qtbot_main_thread() for thread in threads)   # delivered in the GUI thread
    for _ in range(5):
        assert camera.latest_frame() is not None
        qtbot.wait(20)
    assert camera.status() == DeviceStatus.ONLINE


def qtbot_main_thread():
    from PySide6.QtWidgets import QApplication
    return QApplication.instance().thread()


@pytest.mark.slow
def test_video_file_delivers_changing_frames(qtbot, cameras):
    assert VIDEO.is_file(), VIDEO
    camera = SimCamera(VIDEO, fps=30)
    cameras.append(camera)
    frames, _ = _collect(qtbot, camera, 10)
    assert frames[0].shape[2] == 3
    assert any(not np.array_equal(frames[0], f) for f in frames[1:])   # it is a video, not one still
    camera.stop()
    qtbot.wait(200)
    count = len(frames)
    qtbot.wait(300)
    assert len(frames) == count   # stop() stops delivery
    assert camera.latest_frame() is not None


def test_folder_of_images(qtbot, cameras, tmp_path):
    import cv2
    for index, value in enumerate((10, 200)):
        cv2.imwrite(str(tmp_path / f"{index}.png"), np.full((48, 64, 3), value, np.uint8))
    camera = SimCamera(tmp_path, fps=50)
    cameras.append(camera)
    frames, _ = _collect(qtbot, camera, 4)
    assert {int(f[0, 0, 0]) for f in frames} == {10, 200}


def test_slow_consumer_gets_latest_frames_not_a_backlog(qtbot, cameras):
    camera = SimCamera(VIDEO, fps=100)
    cameras.append(camera)
    delivered = []
    camera.frame_ready.connect(delivered.append)
    camera.start()
    # Block the GUI thread for 0.5 s: ~50 frames are captured meanwhile.
    threading.Event().wait(0.5)
    QCoreApplication.processEvents()
    assert len(delivered) == 1                     # one coalesced delivery, not 50
    newest = camera.latest_frame()
    assert delivered[0] is newest or not np.array_equal(delivered[0], VIDEO_FIRST_FRAME)


@pytest.mark.parametrize("scenario,value", [("no_face", 128), ("black", 0)])
def test_synthetic_scenarios(qtbot, cameras, scenario, value):
    camera = SimCamera(scenario=scenario, fps=20)
    cameras.append(camera)
    frames, _ = _collect(qtbot, camera, 2)
    assert np.all(frames[-1] == value)


@pytest.mark.faults
def test_unplugged_is_no_device(qtbot, cameras):
    camera = SimCamera(camera_source_for("elderly"), scenario="unplugged")
    cameras.append(camera)
    frames = []
    camera.frame_ready.connect(frames.append)
    with qtbot.waitSignal(camera.status_changed, timeout=3000,
                          check_params_cb=lambda status: status == "noDevice"):
        camera.start()
    qtbot.wait(200)
    assert camera.status() == DeviceStatus.NO_DEVICE and frames == []
    assert camera.latest_frame() is None


def test_opencv_camera_without_a_device_is_no_device(qtbot, cameras, tmp_path):
    camera = OpenCvCamera(str(tmp_path / "no-such-camera.mp4"))
    cameras.append(camera)
    with qtbot.waitSignal(camera.status_changed, timeout=5000,
                          check_params_cb=lambda status: status == "noDevice"):
        camera.open()
    camera.start()   # keeps trying to reconnect; close() must still end it promptly
    qtbot.wait(100)
    camera.close()
    assert camera.status() == DeviceStatus.OFFLINE


def test_factory():
    camera = create_camera(CameraSection(backend="sim", source="", fps=10))
    assert isinstance(camera, SimCamera)
    assert isinstance(create_camera(CameraSection(backend="opencv", device="0")), OpenCvCamera)
    with pytest.raises(ValueError, match="gopro"):
        create_camera(CameraSection(backend="gopro"))


# --- scenarios for the face check -----------------------------------------------------

def test_two_faces_scenario_shows_the_person_twice(qtbot, cameras):
    camera = SimCamera(camera_source_for("elderly"), fps=20, scenario="two_faces")
    cameras.append(camera)
    frames, _ = _collect(qtbot, camera, 2)
    frame = frames[-1]
    assert frame.shape == (480, 640, 3)
    assert np.array_equal(frame[:, :320], frame[:, 320:])     # two identical halves
    assert frame[:, :320].std() > 20                          # with a picture in them


def test_photo_attack_is_a_wobbling_still(qtbot, cameras):
    import cv2
    source = cv2.imread(str(camera_source_for("elderly")))
    camera = SimCamera(camera_source_for("elderly"), fps=30, scenario="photo_attack")
    cameras.append(camera)
    frames, _ = _collect(qtbot, camera, 4)
    assert all(f.shape == source.shape for f in frames)
    assert any(not np.array_equal(frames[0], f) for f in frames[1:])   # hand-held: moves a little
    # ... but it is still the same picture (small affine shift, high correlation).
    a, b = frames[0].astype(np.float32), source.astype(np.float32)
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.6


@pytest.mark.parametrize("scenario,low,high", [("dark", 0, 60), ("overexposed", 150, 256)])
def test_lighting_scenarios(qtbot, cameras, scenario, low, high):
    camera = SimCamera(camera_source_for("elderly"), fps=20, scenario=scenario)
    cameras.append(camera)
    frames, _ = _collect(qtbot, camera, 2)
    assert low <= frames[-1].mean() < high


@pytest.mark.faults
def test_unplug_mid_stream_and_replug(qtbot, cameras):
    camera = SimCamera(camera_source_for("elderly"), fps=30)
    cameras.append(camera)
    frames, _ = _collect(qtbot, camera, 3)
    with qtbot.waitSignal(camera.status_changed, timeout=2000,
                          check_params_cb=lambda status: status == "noDevice"):
        camera.unplug()
    qtbot.wait(150)
    count = len(frames)
    qtbot.wait(300)
    assert len(frames) == count                                # no frames from a missing camera
    with qtbot.waitSignal(camera.status_changed, timeout=2000,
                          check_params_cb=lambda status: status == "online"):
        camera.replug()
    camera.start()
    qtbot.waitUntil(lambda: len(frames) > count + 2, timeout=3000)


@pytest.mark.faults
def test_unplug_after_scenario(qtbot, cameras):
    camera = SimCamera(camera_source_for("elderly"), fps=30, scenario="unplug_after", unplug_after_s=0.5)
    cameras.append(camera)
    frames = []
    camera.frame_ready.connect(frames.append)
    with qtbot.waitSignal(camera.status_changed, timeout=4000,
                          check_params_cb=lambda status: status == "noDevice"):
        camera.start()
    assert frames, "it delivered frames before disappearing"


def test_preview_is_made_off_the_gui_thread_and_mirrored(qtbot, cameras, tmp_path):
    import cv2
    from PySide6.QtGui import QImage
    image = np.zeros((60, 80, 3), np.uint8)
    image[:, :10] = (255, 0, 0)                                  # blue stripe on the left (BGR)
    cv2.imwrite(str(tmp_path / "frame.png"), image)
    camera = SimCamera(tmp_path / "frame.png", fps=30)
    cameras.append(camera)
    previews = []
    camera.preview_ready.connect(previews.append)
    camera.start()
    qtbot.waitUntil(lambda: bool(previews), timeout=3000)
    preview = previews[0]
    assert isinstance(preview, QImage) and (preview.width(), preview.height()) == (80, 60)
    right, left = preview.pixelColor(75, 30), preview.pixelColor(5, 30)
    assert (right.blue(), right.red()) == (255, 0) and left.blue() == 0   # mirrored, RGB order right


@pytest.mark.faults
@pytest.mark.slow
def test_opencv_camera_reconnects_when_the_device_comes_back(qtbot, cameras, tmp_path):
    """A capture source that disappears and comes back (a short video file standing
    in for /dev/videoN): status goes noDevice, then online again, frames resume."""
    import cv2
    import devices.camera.opencv as opencv_module
    path = tmp_path / "cam.avi"

    def write_video():
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
        for value in range(0, 250, 10):
            writer.write(np.full((48, 64, 3), value, np.uint8))
        writer.release()

    write_video()
    old_interval = opencv_module.RECONNECT_INTERVAL_S
    opencv_module.RECONNECT_INTERVAL_S = 0.2
    try:
        camera = OpenCvCamera(str(path), width=64, height=48, fps=100)
        cameras.append(camera)
        frames = []
        camera.frame_ready.connect(frames.append)
        camera.open()
        camera.start()
        qtbot.waitUntil(lambda: len(frames) >= 3, timeout=5000)
        path.unlink()                                     # the camera is gone
        qtbot.waitUntil(lambda: camera.status() == DeviceStatus.NO_DEVICE, timeout=8000)
        count = len(frames)
        write_video()                                     # ... and back
        qtbot.waitUntil(lambda: camera.status() == DeviceStatus.ONLINE, timeout=8000)
        qtbot.waitUntil(lambda: len(frames) > count, timeout=5000)
    finally:
        opencv_module.RECONNECT_INTERVAL_S = old_interval
