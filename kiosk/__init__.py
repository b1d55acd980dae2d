"""Government self-service kiosk application package."""

__version__ = "0.9.0"   # reported in diagnostics, heartbeats, metrics and the technician screen
