"""Printer test tools: ESC/POS parser, renderer, loopback TCP and pty emulators, the demo backend."""
