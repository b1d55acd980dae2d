"""Reference central government service platform: a real HTTP server for the demo and the tests.

The kiosk never imports this package; it only speaks HTTP to it (see docs/architecture.md).
"""
from reference_platform.faults import Faults
from reference_platform.server import PlatformServerError, ReferencePlatformServer
from reference_platform.store import Store

__all__ = ["Faults", "PlatformServerError", "ReferencePlatformServer", "Store"]
