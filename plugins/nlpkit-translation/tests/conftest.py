"""Fixtures for nlpkit-translation's tests."""

from nlpkit.testing.parity import parity  # noqa: F401  (the fixture; here too so the tests run from the unpacked sdist)
