"""Simulators, emulators, test rigs and demo tools, apart from the production drivers.

Product code (kiosk, devices, screens, offline_cache) never imports this package, except the
documented composition edges in `.importlinter` (contract `product-never-imports-sim`); the
demo composition (main.py, the test-only backend branches of the device factories), tests,
bench and scripts wire it from outside.

    sim/identities.py, sim/sample_faces.py   the sample card holders and their photos
    sim/id_reader/                           SAM reader simulator (pty), PC/SC virtual card + vpcd rig
    sim/printer/                             ESC/POS parser, renderer, loopback TCP/pty emulators
    sim/demo/                                the autopilot and the screenshot tool
"""
