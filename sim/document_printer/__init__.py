"""A real CUPS print path for tests, the bench and the demo: cupsd + ippeveprinter in a temp dir."""
