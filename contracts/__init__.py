"""What the kiosk and the hall agree on, defined once: the submission and blob wire format, device
authentication, the progress document, the service catalog and the demand taxonomy.

Pydantic models, strict (no coercion: ``"3"`` is not an int), closed where the wire is closed
(unknown fields are refused). This package imports nothing of the project, so both sides, and
the two Debian packages built from them, can depend on it (``lint-imports`` checks that).
"""
