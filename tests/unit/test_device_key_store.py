"""The device key sealed by a real TPM (Debian's swtpm), and the 0600 file where there is none.

Issue 14, finding 11: a stolen disk or a copied state folder must not yield a key that signs as
the station. With a TPM, only the sealed object is on disk and only that TPM can unseal it; the
raw key crosses neither the disk nor the TPM's wire in the clear. Without one, the PEM file is
0600 and a file others may read is refused.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import shutil
import socket
import stat
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contracts.device_auth import NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signing_input
from kiosk.device_identity import (
    DeviceCredential,
    DeviceKey,
    keys_dir,
    load_identity,
    save_identity,
)
from kiosk.device_key_store import (
    KEY_FILE,
    SEALED_FILE,
    TCTI_ENV,
    KeyFileExposed,
    KeyProtection,
    KeyUnsealFailed,
    TpmUnavailable,
    key_protection,
    tpm_tcti,
)
from tests.support.swtpm import SoftwareTpm, free_port_pair

CREDENTIAL = DeviceCredential("dev-0123", "QH001", "s3cret-credential", "http://127.0.0.1:1")
NO_TPM = {TCTI_ENV: "none"}


@pytest.fixture
def tpm(tmp_path: Path) -> Iterator[SoftwareTpm]:
    """This kiosk's TPM: a real swtpm with its own state (its own seeds)."""
    with SoftwareTpm(tmp_path / "tpm-this-machine") as started:
        yield started


def raw_private(key: DeviceKey) -> bytes:
    return key.private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def assert_signs_as(state: Path, key: DeviceKey, environ: dict[str, str]) -> None:
    """A freshly loaded identity (a restarted kiosk) signs requests the hall can verify."""
    identity = load_identity(state, environ=environ)
    assert identity is not None
    headers = identity.headers("POST", "/api/v1/submissions", b"{}")
    data = signing_input(
        "POST",
        "/api/v1/submissions",
        int(headers[TIMESTAMP_HEADER]),
        headers[NONCE_HEADER],
        b"{}",
    )
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key_b64))
    public.verify(base64.b64decode(headers[SIGNATURE_HEADER]), data)  # raises if not this key


def secret_shapes(key: DeviceKey) -> list[bytes]:
    """Every form the private key could be written in: raw, hex, base64, PKCS#8 DER and PEM."""
    raw = raw_private(key)
    der = key.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return [raw, raw.hex().encode(), base64.b64encode(raw), der, pem]


def test_the_key_is_sealed_and_a_restarted_kiosk_unseals_it_after_a_tpm_power_cycle(
    tmp_path: Path, tpm: SoftwareTpm
) -> None:
    state, key = tmp_path / "state", DeviceKey.generate()
    save_identity(state, key, CREDENTIAL, environ={TCTI_ENV: tpm.tcti})
    keys = keys_dir(state)
    sealed = keys / SEALED_FILE
    assert key_protection(keys) is KeyProtection.TPM_SEALED
    assert key_protection(keys).describe() == "device key: TPM-sealed"
    assert not (keys / KEY_FILE).exists()
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600
    # Neither the file nor the sealed parts inside it hold the key in any readable form.
    on_disk = [sealed.read_bytes()]
    doc = json.loads(on_disk[0])
    on_disk += [base64.b64decode(doc["public"]), base64.b64decode(doc["private"])]
    for blob in on_disk:
        for shape in secret_shapes(key):
            assert shape not in blob

    tpm.stop()  # the machine reboots: the TPM keeps its seeds in its state folder
    tpm.start()
    assert_signs_as(state, key, {TCTI_ENV: tpm.tcti})


def test_a_state_folder_copied_to_another_machine_cannot_be_unsealed(
    tmp_path: Path, tpm: SoftwareTpm
) -> None:
    state, key = tmp_path / "state", DeviceKey.generate()
    save_identity(state, key, CREDENTIAL, environ={TCTI_ENV: tpm.tcti})
    stolen = tmp_path / "stolen-state"
    shutil.copytree(state, stolen)

    with SoftwareTpm(tmp_path / "tpm-other-machine") as other:
        identity = load_identity(stolen, environ={TCTI_ENV: other.tcti})
        assert identity is not None  # the credential is readable, the key is not
        with pytest.raises(KeyUnsealFailed, match="cannot unseal"):
            identity.headers("POST", "/api/v1/submissions", b"{}")
        # Turning the TPM off does not fall back to anything: a sealed key needs its TPM.
        assert not (stolen / "keys" / KEY_FILE).exists()
    # The original machine still signs with it.
    assert_signs_as(state, key, {TCTI_ENV: tpm.tcti})


class RecordingRelay:
    """A TCP relay between the kiosk and the TPM that keeps every byte it forwards (the swtpm
    TCTI uses two adjacent ports: commands, and the control channel)."""

    def __init__(self, target_port: int) -> None:
        self.seen = bytearray()
        self.port = free_port_pair()
        self._listeners = [socket.create_server(("127.0.0.1", self.port + i)) for i in (0, 1)]
        for i, listener in enumerate(self._listeners):
            threading.Thread(
                target=self._accept, args=(listener, target_port + i), daemon=True
            ).start()

    def _accept(self, listener: socket.socket, target_port: int) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                self.seen += data
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        for listener in self._listeners:
            listener.close()


def test_the_key_never_crosses_the_wire_to_the_tpm_in_the_clear(
    tmp_path: Path, tpm: SoftwareTpm
) -> None:
    relay = RecordingRelay(tpm.port)
    try:
        via_relay = {TCTI_ENV: f"swtpm:host=127.0.0.1,port={relay.port}"}
        state, key = tmp_path / "state", DeviceKey.generate()
        save_identity(state, key, CREDENTIAL, environ=via_relay)  # TPM2_Create carries it in
        assert_signs_as(state, key, via_relay)  # TPM2_Unseal carries it out
    finally:
        relay.close()
    assert len(relay.seen) > 1000  # the commands did pass through the relay
    for shape in secret_shapes(key):
        assert shape not in relay.seen


def test_a_file_key_moves_into_the_tpm_when_the_machine_has_one(
    tmp_path: Path, tpm: SoftwareTpm
) -> None:
    state, key = tmp_path / "state", DeviceKey.generate()
    save_identity(state, key, CREDENTIAL, environ=NO_TPM)  # enrolled before the TPM was used
    keys = keys_dir(state)
    assert key_protection(keys) is KeyProtection.FILE
    assert_signs_as(state, key, {TCTI_ENV: tpm.tcti})  # the first signature seals it
    assert key_protection(keys) is KeyProtection.TPM_SEALED
    assert not (keys / KEY_FILE).exists()
    assert_signs_as(state, key, {TCTI_ENV: tpm.tcti})


def test_re_enrolment_leaves_one_key_of_one_kind(tmp_path: Path, tpm: SoftwareTpm) -> None:
    state = tmp_path / "state"
    save_identity(state, DeviceKey.generate(), CREDENTIAL, environ={TCTI_ENV: tpm.tcti})
    newer = DeviceKey.generate()
    save_identity(state, newer, CREDENTIAL, environ=NO_TPM)
    keys = keys_dir(state)
    assert not (keys / SEALED_FILE).exists()  # a stale sealed key would win over the new one
    assert_signs_as(state, newer, NO_TPM)
    newest = DeviceKey.generate()
    save_identity(state, newest, CREDENTIAL, environ={TCTI_ENV: tpm.tcti})
    assert not (keys / KEY_FILE).exists()
    assert_signs_as(state, newest, {TCTI_ENV: tpm.tcti})


def test_a_damaged_sealed_key_or_a_missing_tpm_is_a_clear_error(
    tmp_path: Path, tpm: SoftwareTpm
) -> None:
    state = tmp_path / "state"
    save_identity(state, DeviceKey.generate(), CREDENTIAL, environ={TCTI_ENV: tpm.tcti})
    sealed = keys_dir(state) / SEALED_FILE
    doc = json.loads(sealed.read_bytes())
    private = bytearray(base64.b64decode(doc["private"]))
    private[-1] ^= 0x01  # one bit of the TPM-encrypted part
    doc["private"] = base64.b64encode(bytes(private)).decode()
    sealed.write_text(json.dumps(doc))
    identity = load_identity(state, environ={TCTI_ENV: tpm.tcti})
    assert identity is not None
    with pytest.raises(KeyUnsealFailed):
        identity.headers("GET", "/healthz")
    sealed.write_text("{not json")
    with pytest.raises(KeyUnsealFailed, match="damaged"):
        identity.headers("GET", "/healthz")

    tpm.stop()
    with pytest.raises(TpmUnavailable, match="no TPM at"):
        save_identity(state, DeviceKey.generate(), CREDENTIAL, environ={TCTI_ENV: tpm.tcti})
    # A failed enrolment is a storage failure (kiosk.provision handles OSError).
    assert issubclass(TpmUnavailable, OSError)


def test_without_a_tpm_the_key_is_a_0600_file_and_an_exposed_one_is_refused(
    tmp_path: Path,
) -> None:
    state, key = tmp_path / "state", DeviceKey.generate()
    old = os.umask(0)  # a umask that would leave files world-readable
    try:
        save_identity(state, key, CREDENTIAL, environ=NO_TPM)
    finally:
        os.umask(old)
    keys = keys_dir(state)
    path = keys / KEY_FILE
    assert key_protection(keys) is KeyProtection.FILE
    assert key_protection(keys).describe() == "device key: file (no TPM)"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert_signs_as(state, key, NO_TPM)

    for mode in (0o640, 0o604, 0o620, 0o660):
        path.chmod(mode)
        identity = load_identity(state, environ=NO_TPM)
        assert identity is not None
        with pytest.raises(KeyFileExposed, match=f"mode {mode:04o}.*chmod 600"):
            identity.headers("GET", "/healthz")
    path.chmod(0o400)  # read-only for its owner is fine
    assert_signs_as(state, key, NO_TPM)


def test_which_tpm_is_used(tmp_path: Path) -> None:
    assert tpm_tcti({TCTI_ENV: "swtpm:port=2321"}) == "swtpm:port=2321"
    assert tpm_tcti({TCTI_ENV: "none", "TPM2TOOLS_TCTI": "device:/dev/tpm0"}) is None
    assert tpm_tcti({TCTI_ENV: " "}) is None
    assert tpm_tcti({"TPM2TOOLS_TCTI": "device:/dev/tpm0"}) == "device:/dev/tpm0"
    assert tpm_tcti({}, device=str(tmp_path / "no-tpmrm0")) is None
    (tmp_path / "tpmrm0").touch()  # a resource manager this user may open
    assert tpm_tcti({}, device=str(tmp_path / "tpmrm0")) == f"device:{tmp_path / 'tpmrm0'}"
    assert key_protection(tmp_path) is KeyProtection.NONE


def test_the_technician_health_and_diagnostics_say_how_the_key_is_kept(
    tmp_path: Path, tpm: SoftwareTpm
) -> None:
    from kiosk.config import parse_config
    from kiosk.runtime import KioskRuntime
    from kiosk.technician.service import TechnicianService

    state = tmp_path / "kiosk"
    config = parse_config(
        {
            "station": {"id": "QH001", "name": "测试站"},
            "hall": {"url": "http://127.0.0.1:9", "timeout_s": 1},
            "devices": {
                "card_reader": {"backend": "simulator", "options": {"delay_s": 0}},
                "printer": {"backend": "simulator", "options": {"port": 0}},
            },
            "paths": {"state_dir": str(state)},
        }
    )
    runtime = KioskRuntime(config, start_sender=False)
    try:
        technician = TechnicianService(runtime, recent_logs=lambda: [])
        assert technician.health()["device_key"] == "none"
        save_identity(state, DeviceKey.generate(), CREDENTIAL, environ=NO_TPM)
        assert technician.health()["device_key"] == "file"
        save_identity(state, DeviceKey.generate(), CREDENTIAL, environ={TCTI_ENV: tpm.tcti})
        assert technician.health()["device_key"] == "tpm-sealed"
        _, bundle = technician.bundle()
        with zipfile.ZipFile(io.BytesIO(bundle)) as z:
            health = json.loads(z.read("health.json"))
        assert health["now"]["device_key"] == "tpm-sealed"
    finally:
        runtime.close()
