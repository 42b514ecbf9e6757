"""Qihang Station Kiosk: the Qt-free core."""

__version__ = "0.1.0"
