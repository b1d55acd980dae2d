"""Kiosk devices: ID card reader, camera, receipt printer (see docs/architecture.md)."""
