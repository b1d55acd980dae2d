"""A pure-Python smart card for the vpcd virtual reader (vsmartcard-vpcd).

`cards` holds the card models (social security card, eMRTD with BAC),
`vpcd_link` speaks vpcd's socket protocol for one card, `__main__` is the card
process (controlled by JSON lines on stdin), and `process` starts and drives
that process from tests, the benchmark and the demo.
"""
