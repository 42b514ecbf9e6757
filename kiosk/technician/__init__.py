"""Technician mode (维护模式), the Qt-free half: PIN gate, audit log, device tests, outbox view,
diagnostics bundle. The screens live in ``ui/bridge/technician_bridge.py`` and
``ui/qml/screens/Technician*Screen.qml``; nothing here imports PySide6.

Nothing a technician sees or exports holds personal data: device tests mask what a card says,
the outbox view reads only the clear columns (never payloads), and the diagnostics bundle is
scrubbed for ID numbers, mobile numbers and the live session's values before it is written.
"""
