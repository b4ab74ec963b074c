"""Fixtures for the office's tests: the same frozen clock, cast and cases as the case tests (tests/oversight)."""

from tests.oversight.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    _reference_faces_ready,
    cameras,
    clock,
    objectives,
    world,
)
