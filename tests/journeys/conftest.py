"""Journeys reuse the UI fixtures (real QML offscreen, simulators, a real hall)."""

from tests.ui.conftest import kiosk  # noqa: F401  (re-exported fixture)
