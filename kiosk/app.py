"""Builds a running kiosk from a configuration: devices, face verifier,
outbox, sync worker, platform client, controller and window.

Kept apart from main.py so tests and the demo build exactly what the
product builds.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import KioskConfig


@dataclass
class KioskParts:
    config: KioskConfig
    controller: object
    window: object | None
    outbox: object
    collector: object | None = None      # kiosk.gui_gc.GuiThreadCollector (with a window)
    thread_niceness: object | None = None   # kiosk.thread_priority.ThreadNiceness (with a window)

    def close(self) -> None:
        if self.collector is not None:
            self.collector.stop()
        if self.thread_niceness is not None:
            self.thread_niceness.stop()
        self.controller.close()
        if self.window is not None:
            self.window.allow_close = True
            self.window.close()


def catalog_verifier(config: KioskConfig):
    """The catalog signature check when [platform] catalog_public_key is set, else None."""
    if not config.platform.catalog_public_key:
        return None
    from kiosk.config import load_catalog_public_key
    from offline_cache.catalog_cache import Ed25519CatalogVerifier
    return Ed25519CatalogVerifier(load_catalog_public_key(config.platform.catalog_public_key))


def build_kiosk(config: KioskConfig, *, with_window: bool = True, face_verifier=None) -> KioskParts:
    # Imports here, not at module top: `main.py --help` and config errors must
    # answer without loading Qt, OpenCV and the device stack.
    from devices.camera import create_camera
    from devices.id_reader import create_id_reader
    from devices.printer import create_printer
    from devices.scanner import create_scanner
    from kiosk.face_verification import FaceVerifier
    from kiosk.flows.controller import KioskController
    from kiosk.platform import PlatformClient
    from offline_cache.catalog_cache import CatalogCache
    from offline_cache.outbox import Outbox
    from offline_cache.sync import SyncWorker

    from kiosk.keystore import key_store_warning
    from kiosk.native_memory import fix_thresholds, limit_arenas
    from kiosk.private_files import make_private_dir
    limit_arenas(config.kiosk.malloc_arenas)      # before the device threads start (kiosk/native_memory.py)
    fix_thresholds(config.kiosk.malloc_mmap_threshold_kb, config.kiosk.malloc_trim_threshold_kb,
                   arena_tops=config.kiosk.malloc_trim_arena_tops)
    from devices.helper_process import set_niceness
    from kiosk.gil import apply_switch_interval
    set_niceness(config.kiosk.helper_niceness)    # before any helper process starts
    apply_switch_interval(config.kiosk.gil_switch_interval_ms)
    make_private_dir(config.data_dir)
    warning = key_store_warning(config.security.key_store, config.data_dir)
    if warning:
        logging.getLogger(__name__).warning(warning)
    devices = config.devices
    id_reader = create_id_reader(devices.id_reader)
    camera = create_camera(devices.camera, sim_identity=devices.id_reader.identity)
    document_camera = None          # paper and passport pages: a second camera if configured (issue 16)
    if config.documents.camera_device:
        from devices.camera import OpenCvCamera
        document_camera = OpenCvCamera(config.documents.camera_device, width=config.documents.camera_width,
                                       height=config.documents.camera_height, fps=devices.camera.fps)
    from devices.printer.journal import ReceiptJournal
    journal = ReceiptJournal(config.journal_path, config.device_key_path, keep=devices.printer.reprint_keep)
    printer = create_printer(devices.printer, output_dir=config.receipts_dir, journal=journal)

    from kiosk.crypto import load_or_create_device_key
    from kiosk.signing import make_signer

    outbox = Outbox(config.outbox_path, config.device_key_path,
                    receipt_retention_days=config.platform.receipt_retention_days)
    client_cert = (config.platform.client_cert, config.platform.client_key) if config.platform.client_cert else None
    client = PlatformClient(config.platform.url, config.kiosk.id,
                            connect_timeout=config.platform.connect_timeout_s,
                            read_timeout=config.platform.read_timeout_s,
                            ca_bundle=config.platform.ca_bundle or None, client_cert=client_cert,
                            signer=make_signer(config.platform.signature_alg,
                                               load_or_create_device_key(config.signing_key_path)))
    # Electronic licences on A4 (issue 15): the document printer and the print journal (no personal data).
    from devices.document_printer import DocumentPrinter, create_document_transport
    from kiosk.licence_journal import LicenceJournal
    document_printer = DocumentPrinter(create_document_transport(devices.document_printer))
    licence_journal = LicenceJournal(config.data_dir / "licence-prints.sqlite3")
    controller_holder = {}
    # The platform client is the sync worker's Delivery (offline_cache.delivery): the outbox never imports it.
    sync_worker = SyncWorker(outbox, client, on_change=lambda entry: controller_holder["c"].on_outbox_change(entry))
    controller = KioskController(
        config, id_reader=id_reader, camera=camera, printer=printer,
        face_verifier=face_verifier or FaceVerifier(config.face.engine, blink=config.face.blink),
        outbox=outbox, sync_worker=sync_worker, platform_client=client,
        catalog_cache=CatalogCache(Path(config.data_dir) / "catalog.json", verifier=catalog_verifier(config)),
        document_printer=document_printer, licence_journal=licence_journal,
        document_camera=document_camera,
        scanner=create_scanner(devices.scanner))
    controller_holder["c"] = controller
    controller.reference_photo_source = client.get_reference_photo   # face-only services (养老认证)
    window = None
    collector = thread_niceness = None
    if with_window:
        from kiosk.gui_gc import GuiThreadCollector
        from screens.main_window import KioskWindow
        window = KioskWindow(controller, fullscreen=config.kiosk.fullscreen)
        # Garbage collection on the GUI thread only, in small steps; what start-up and each new
        # catalog's search index leave alive is frozen out of later collections (kiosk/gui_gc.py).
        view = controller.view
        collector = GuiThreadCollector(controller, settled=lambda: (
            view.service_search.catalog_version if view.service_search is not None else None))
        collector.start()
        controller.stood_idle.connect(collector.collect_all)
        # The kiosk's other threads yield a core to the GUI thread (kiosk/thread_priority.py).
        from kiosk.thread_priority import ThreadNiceness
        thread_niceness = ThreadNiceness(config.kiosk.worker_thread_niceness, parent=controller)
        thread_niceness.start()
    if config.kiosk.presize_interned_strings:
        # The one rebuild of CPython's interned-string table now, not mid-session (kiosk/interned_strings.py).
        from kiosk.interned_strings import presize
        presize()
    return KioskParts(config=config, controller=controller, window=window, outbox=outbox, collector=collector,
                      thread_niceness=thread_niceness)
