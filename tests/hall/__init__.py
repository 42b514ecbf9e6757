"""Tests of the hall service, run against a real uvicorn server on loopback."""
