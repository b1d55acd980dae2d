"""ID reader simulators: the SAM reader on a pty, the PC/SC virtual card and its vpcd rig."""
