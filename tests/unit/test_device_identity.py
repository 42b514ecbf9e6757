"""The terminal's device identity: its key and credential stored 0600, request signatures the
hall can verify, and no cryptography on the kiosk's start path."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from contracts.device_auth import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    code_well_formed,
    normalise_code,
    signing_input,
)
from hall.enrolment import new_code
from kiosk.device_identity import (
    DeviceCredential,
    DeviceKey,
    load_identity,
    save_identity,
    write_secret,
)
from kiosk.device_key_store import TCTI_ENV
from offline_queue.durable import TMP_PREFIX
from tests.support.clock import FakeClock

ROOT = Path(__file__).resolve().parents[2]
CREDENTIAL = DeviceCredential("dev-0123", "QH001", "s3cret-credential", "http://hall.test")
NO_TPM = {TCTI_ENV: "none"}  # the file key (tests/unit/test_device_key_store.py: the TPM)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave files world-readable: the secrets must not depend on it."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def verify(public_b64: str, signature_b64: str, data: bytes) -> None:
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64))
    key.verify(base64.b64decode(signature_b64), data)


def test_secrets_are_written_0600_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    key = DeviceKey.generate()
    save_identity(tmp_path, key, CREDENTIAL, environ=NO_TPM)
    for path in (tmp_path / "keys" / "device.key", tmp_path / "keys" / "device.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    write_secret(tmp_path / "again", b"x")
    write_secret(tmp_path / "again", b"y")  # rewritten in place, still 0600
    assert stat.S_IMODE((tmp_path / "again").stat().st_mode) == 0o600
    assert not list(tmp_path.glob(TMP_PREFIX + "*"))  # no temporary left behind


def test_the_identity_loads_back_and_signs_verifiably(tmp_path: Path) -> None:
    key = DeviceKey.generate()
    save_identity(tmp_path, key, CREDENTIAL)
    at = dt.datetime.fromtimestamp(1_800_000_000.7, dt.UTC)
    identity = load_identity(tmp_path, clock=FakeClock(at))
    assert identity is not None
    assert identity.credential == CREDENTIAL
    assert "s3cret" not in repr(identity) and "s3cret" not in repr(identity.credential)
    headers = identity.headers("post", "/api/v1/submissions?x=1", b'{"a":1}')
    assert headers["Authorization"] == "QihangDevice dev-0123:s3cret-credential"
    assert headers[TIMESTAMP_HEADER] == "1800000000"
    nonce = headers[NONCE_HEADER]
    assert nonce and nonce != identity.headers("post", "/api/v1/submissions?x=1")[NONCE_HEADER]
    data = signing_input("POST", "/api/v1/submissions?x=1", 1_800_000_000, nonce, b'{"a":1}')
    verify(key.public_key_b64, headers[SIGNATURE_HEADER], data)
    with pytest.raises(InvalidSignature):  # any other body, path or time is another message
        verify(key.public_key_b64, headers[SIGNATURE_HEADER], data.replace(b"POST", b"PUT"))


def test_requests_are_signed_over_their_real_path_and_body(tmp_path: Path) -> None:
    key = DeviceKey.generate()
    save_identity(tmp_path, key, CREDENTIAL)
    at = dt.datetime.fromtimestamp(1_800_000_000, dt.UTC)
    identity = load_identity(tmp_path, clock=FakeClock(at))
    assert identity is not None
    prepared = requests.Request(
        "PUT", "http://hall.test/api/v1/blobs/ab?q=%E4%B8%AD", data=b"\x00photo"
    ).prepare()
    identity.requests_auth()(prepared)
    nonce = prepared.headers[NONCE_HEADER]
    data = signing_input("PUT", "/api/v1/blobs/ab?q=%E4%B8%AD", 1_800_000_000, nonce, b"\x00photo")
    verify(key.public_key_b64, prepared.headers[SIGNATURE_HEADER], data)
    empty = requests.Request("GET", "http://hall.test/healthz").prepare()
    identity.requests_auth()(empty)
    verify(
        key.public_key_b64,
        empty.headers[SIGNATURE_HEADER],
        signing_input("GET", "/healthz", 1_800_000_000, empty.headers[NONCE_HEADER], b""),
    )


def test_no_identity_or_a_broken_one_reads_as_not_enrolled(tmp_path: Path) -> None:
    assert load_identity(tmp_path) is None
    write_secret(tmp_path / "keys" / "device.json", b"{not json")
    assert load_identity(tmp_path) is None
    write_secret(tmp_path / "keys" / "device.json", json.dumps({"device_id": "x"}).encode())
    assert load_identity(tmp_path) is None


def test_every_hall_code_is_well_formed_however_it_is_typed() -> None:
    for _ in range(200):
        code = new_code()
        assert code_well_formed(code)
        assert code_well_formed(code.lower().replace("-", " "))
        assert normalise_code(f" {code.lower()} ") == code.replace("-", "")
        assert not code_well_formed(code[:-1])
        assert not code_well_formed(code[:-1] + "0")


@given(st.text(max_size=40))
def test_code_checks_never_raise(typed: str) -> None:
    assert code_well_formed(typed) in (True, False)


def test_reading_the_identity_does_not_import_cryptography() -> None:
    # The kiosk's start path (time to first frame) loads the identity; crypto waits until the
    # first signed request, after the first frame.
    # Nor the TPM stack: its C libraries load only when a key is unsealed.
    probe = (
        "import sys, tempfile, pathlib; from kiosk.device_identity import load_identity; "
        "load_identity(pathlib.Path(tempfile.mkdtemp())); "
        "assert 'cryptography' not in sys.modules, 'cryptography imported'; "
        "assert 'tpm2_pytss' not in sys.modules, 'tpm2_pytss imported'"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=ROOT, timeout=60)
