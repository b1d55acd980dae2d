"""Platform link: the catalog, the heartbeat and the metrics; the link and queue status."""
from __future__ import annotations

import logging
import threading

from kiosk.core.catalog import CatalogError, parse_catalog
from kiosk.flows.context import Coordinator, FlowContext
from kiosk.service_index import build_service_search_apart
from offline_cache.catalog_cache import CatalogRejected
from offline_cache.records import RowState

log = logging.getLogger(__name__)

CATALOG_RETRY_S = 30.0


class PlatformLink(Coordinator):
    """Owns the kiosk's standing link to the platform: the catalog loop (cached copy first,
    then the platform's, re-asked every CATALOG_RETRY_S until one is accepted), the
    heartbeat loop and its body, the Prometheus metrics (`metrics`, set when [metrics]
    port is configured), and the view's platform-online, queue-length and catalog-error
    lines. `outbox_changed` is called on the sync worker's thread."""

    def __init__(self, ctx: FlowContext, parent=None):
        super().__init__(ctx, parent)
        self.metrics = None             # kiosk.metrics.KioskMetrics when [metrics] port is set
        self._stopping = threading.Event()
        # More device reports for the heartbeat: name -> thread-safe callable (e.g. the A4 printer, issue 15).
        self.extra_reports: dict = {}
        self._indexed_version: str | None = None      # catalog loop's thread only

    def start(self) -> None:
        self.ctx.jobs.start_loop("catalog", self._catalog_loop)
        self.ctx.jobs.start_loop("heartbeat", self._heartbeat_loop)

    def stop(self) -> None:
        self._stopping.set()

    # --- reachability and queue (any thread) -------------------------------------------

    def outbox_changed(self, entry) -> None:
        """Sync worker's thread: every state change of an outbox entry."""
        if entry.state == RowState.DELIVERED:
            self._reachable(True)
        elif entry.state == RowState.PENDING and entry.last_error:
            self._reachable(False)
        self.ctx.jobs.post(self._on_queue_changed, self.ctx.outbox.stats().pending)

    def _reachable(self, online: bool) -> None:
        self.ctx.jobs.post(self._on_platform_reachable, online)

    def _on_platform_reachable(self, online: bool) -> None:
        if online != self.view.platform_online:
            self.view.platform_online = online
            log.info("platform link", extra={"online": online})
            self.ctx.changed()

    def _on_queue_changed(self, pending: int) -> None:
        if pending != self.view.queue_pending:
            self.view.queue_pending = pending
            self.ctx.changed()

    # --- catalog ----------------------------------------------------------------------

    def _catalog_loop(self) -> None:
        # load() re-validates the cached file; an unusable one raises a technician alert.
        cache, client = self.ctx.catalog_cache, self.ctx.platform_client
        cached = cache.load()
        if cached is not None:
            try:
                self._publish_catalog(cached, source="cache")
            except CatalogError:
                pass  # logged and shown to the technician; the platform's copy replaces it below
        while not self._stopping.is_set():
            try:
                raw, signature = client.get_catalog_raw()
                self._reachable(True)
                # Parsed, schema-checked and (when configured) signature-verified before it
                # replaces the cached one; otherwise the last good catalog stays.
                catalog = cache.accept(raw, signature)
                self._publish_catalog(catalog, source="platform")
                return
            except CatalogRejected as exc:
                log.error("catalog rejected", extra={"source": "platform", "error": str(exc)})
                self.ctx.jobs.post(self._on_catalog_rejected, f"platform: {exc}")
            except CatalogError:
                pass  # already logged; keep the cached one and ask again later
            except Exception as exc:
                if self._stopping.is_set():
                    return           # the kiosk is closing (its HTTP session went with it)
                log.warning("catalog fetch failed", extra={"error": type(exc).__name__})
                self._reachable(False)
            self._stopping.wait(CATALOG_RETRY_S)

    def _publish_catalog(self, raw: dict, source: str) -> None:
        try:
            catalog = parse_catalog(raw)
        except CatalogError as exc:
            log.error("catalog rejected", extra={"source": source, "error": str(exc)})
            self.ctx.jobs.post(self._on_catalog_rejected, f"{source}: {exc}")
            raise
        self.ctx.jobs.post(self._on_catalog, catalog)
        # The search index (pinyin and Jyutping readings of every name) is built once per catalog, in a
        # child process this thread waits for (kiosk.service_index: the dictionaries never load here),
        # after the catalog is offered (browsing works meanwhile): 1-4 s for 500 services.
        if catalog.version == self._indexed_version:
            return                   # the cached copy and the platform's are the same catalog
        try:
            search = build_service_search_apart(catalog)
        except Exception as exc:     # no search, but the tabs still find every service
            if self._stopping.is_set():
                return               # the kiosk is closing: the child was ended with it
            log.error("service search index failed", extra={"error": type(exc).__name__})
            return
        self._indexed_version = catalog.version
        self.ctx.jobs.post(self._on_search_index, search)

    def _on_catalog_rejected(self, message: str) -> None:
        """Shown on the technician page; the citizen keeps the last good catalog."""
        self.view.catalog_error = message
        self.ctx.changed()

    def _on_search_index(self, search) -> None:
        catalog = self.session.catalog
        if catalog is not None and catalog.version == search.catalog_version:
            self.view.service_search = search
            self.ctx.changed()

    def _on_catalog(self, catalog) -> None:
        session = self.session
        if session.catalog is None or session.catalog.version != catalog.version:
            session.catalog = catalog
            self.view.catalog_loaded = True
            self.view.catalog_error = None
            log.info("catalog loaded", extra={"version": catalog.version, "services": len(catalog.services)})
            self.ctx.changed()

    # --- heartbeat and metrics ------------------------------------------------------------

    def heartbeat_body(self) -> dict:
        from kiosk.heartbeat import build_heartbeat
        from kiosk.technician_pin import lockout_report, lockout_state_path
        catalog, outbox = self.session.catalog, self.ctx.outbox
        body = build_heartbeat(self.ctx.config.kiosk.id, self.view.device_status, self.view.paper_status,
                               outbox.stats(), catalog_version=catalog.version if catalog else None,
                               technician=lockout_report(lockout_state_path(self.ctx.config.data_dir)))
        body["printer"] = self.ctx.printer.supply_report()   # paper low/out, cover, failed jobs: technician alert
        body["alerts"] = [alert.code for alert in outbox.alerts()]   # e.g. database_quarantined
        for name, report in self.extra_reports.items():
            body[name] = report()
        return body

    def _heartbeat_loop(self) -> None:
        interval = self.ctx.config.heartbeat.interval_s
        while not self._stopping.wait(1.0 if self.view.platform_online is None else interval):
            body = self.heartbeat_body()
            accepted = False
            try:
                self.ctx.platform_client.heartbeat(body)
                accepted = True
                self._reachable(True)
            except Exception as exc:
                log.info("heartbeat failed", extra={"error": getattr(exc, "reason", type(exc).__name__)})
                self._reachable(False)
            if self.metrics is not None:   # Prometheus sees the same figures as the platform
                self.metrics.update(body)
                self.metrics.heartbeat_result(accepted)
