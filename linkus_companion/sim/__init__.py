"""Faithful local emulators of the PBX and the CRMs, for the demo, tests and benchmarks."""
