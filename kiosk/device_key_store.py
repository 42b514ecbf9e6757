"""Where this terminal's Ed25519 device key is kept: sealed by a TPM 2.0, else a 0600 file.

With a TPM the private key never lies on disk in the clear. It is sealed as a keyed-hash data
object under a storage primary key that the TPM derives from its owner hierarchy's seed (the TCG
"SRK" template: ECC P-256, restricted decrypt, AES-128-CFB). Only the sealed object's public and
private parts (the private part encrypted by the TPM to that primary) are written, to
``keys/device.tpmkey``; at the first signature they are loaded and unsealed into this process's
memory. The primary is created anew at each load and flushed after: the same owner seed gives the
same primary, so nothing is made persistent in the TPM (no handle that other software could also
claim, no owner-hierarchy password to manage), and a state folder copied to another machine, or
kept across a TPM clear, meets another seed and cannot be loaded. Commands that carry the key go
through a salted session with parameter encryption, so it does not cross the bus in the clear.

Without a TPM the key is the PKCS#8 PEM file ``keys/device.key`` (mode 0600, as before); a file
that the group or others may read is refused. A kiosk enrolled before it had a TPM (or before this
module) moves its file key into the TPM at the first load.

Which TPM: ``QIHANG_TPM_TCTI`` (a tpm2-tools style TCTI, ``device:/dev/tpmrm0`` or
``swtpm:host=127.0.0.1,port=2321``; ``none`` turns the TPM off), else ``TPM2TOOLS_TCTI``, else the
kernel's resource manager ``/dev/tpmrm0`` when it exists. A sealed key is always opened with a
TPM, whatever the setting says.

``tpm2_pytss`` and ``cryptography`` are imported only when a key is made or used, never on the
start path. Errors (all ``OSError``, so callers that handle a failed key file handle these too:
enrolment answers ``ENROL_STORAGE_FAILED``)::

    KeyStoreError
     ├─ KeyFileExposed      the key file is readable or writable by group or others
     ├─ TpmUnavailable      no TSS library, no TPM at the TCTI, or the TPM refused its primary
     └─ KeyUnsealFailed     this TPM cannot load or unseal the blob (another machine's, a cleared
                            TPM, a damaged file)
"""

from __future__ import annotations

import base64
import contextlib
import enum
import errno
import json
import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from offline_queue.durable import atomic_write, fsync_dir

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

log = logging.getLogger(__name__)

KEY_FILE = "device.key"  # PKCS#8 PEM, no TPM
SEALED_FILE = "device.tpmkey"  # the TPM-sealed object (JSON: its public and private parts)
SEALED_FORMAT = "qihang-tpm2-sealed/1"
TCTI_ENV = "QIHANG_TPM_TCTI"
TPM_DEVICE = "/dev/tpmrm0"  # the kernel's resource manager: several clients may share the TPM
_EXPOSED_BITS = 0o077


class KeyProtection(enum.Enum):
    """How the device key is kept on this terminal, read from the files alone."""

    TPM_SEALED = "tpm-sealed"
    FILE = "file"
    NONE = "none"

    def describe(self) -> str:
        """The technician's words for it (health and diagnostics)."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    KeyProtection.TPM_SEALED: "device key: TPM-sealed",
    KeyProtection.FILE: "device key: file (no TPM)",
    KeyProtection.NONE: "device key: none (not enrolled)",
}


class KeyStoreError(OSError):
    def __init__(self, message: str, code: int = errno.EIO) -> None:
        # (errno, strerror): callers print ``strerror`` as they do for any failed file.
        super().__init__(code, message)


class KeyFileExposed(KeyStoreError):
    pass


class TpmUnavailable(KeyStoreError):
    pass


class KeyUnsealFailed(KeyStoreError):
    pass


def _write_key(path: Path, data: bytes) -> None:
    """The key's file: mode 0600 from the first byte (``atomic_write``: temp file, fsync,
    rename), in the keys folder that only its owner may enter."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    atomic_write(path, data, mode=0o600)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    fsync_dir(path.parent)


def tpm_tcti(environ: Mapping[str, str] | None = None, device: str = TPM_DEVICE) -> str | None:
    """The TCTI of this machine's TPM, or None when there is none (or it is turned off). A TPM
    named in the environment must work; the resource manager ``device`` is used only when this
    user may open it (the package puts the kiosk user in group ``tss``): a developer's machine
    with a TPM it cannot reach keeps a file key instead of failing its enrolment."""
    env = os.environ if environ is None else environ
    configured = env.get(TCTI_ENV)
    if configured is not None:
        configured = configured.strip()
        return None if configured.lower() in ("", "none") else configured
    if env.get("TPM2TOOLS_TCTI", "").strip():
        return env["TPM2TOOLS_TCTI"].strip()
    if not os.path.exists(device):
        return None
    if not os.access(device, os.R_OK | os.W_OK):
        log.warning("%s exists but this user may not open it: device key kept in a file", device)
        return None
    return f"device:{device}"


def key_protection(keys: Path) -> KeyProtection:
    """What guards the key under ``keys`` (two stat calls; no crypto, no TPM traffic)."""
    if (keys / SEALED_FILE).is_file():
        return KeyProtection.TPM_SEALED
    if (keys / KEY_FILE).is_file():
        return KeyProtection.FILE
    return KeyProtection.NONE


@runtime_checkable
class DeviceKeyStore(Protocol):
    """Keeps one Ed25519 private key."""

    protection: KeyProtection

    def save(self, key: Ed25519PrivateKey) -> None: ...

    def load(self) -> Ed25519PrivateKey: ...


class FileKeyStore:
    """The key as a PKCS#8 PEM file, mode 0600 (the machine has no TPM)."""

    protection = KeyProtection.FILE

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def save(self, key: Ed25519PrivateKey) -> None:
        from cryptography.hazmat.primitives import serialization

        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_key(self.path, pem)

    def load(self) -> Ed25519PrivateKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        # The mode is read from the open file, not the name, so a swap in between cannot pass.
        with open(self.path, "rb") as f:
            mode = stat.S_IMODE(os.fstat(f.fileno()).st_mode)
            if mode & _EXPOSED_BITS:
                raise KeyFileExposed(
                    f"device key {self.path} has mode {mode:04o}: group or others may read it; "
                    f"refusing to use it (chmod 600 {self.path}, then re-enrol if it was copied)",
                    errno.EACCES,
                )
            data = f.read()
        key = load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyStoreError(f"{self.path} does not hold an Ed25519 key", errno.EINVAL)
        return key


class TpmKeyStore:
    """The key sealed by the TPM at ``tcti``; only the sealed object's parts are on disk."""

    protection = KeyProtection.TPM_SEALED

    def __init__(self, path: Path, tcti: str) -> None:
        self.path = Path(path)
        self.tcti = tcti

    def save(self, key: Ed25519PrivateKey) -> None:
        from cryptography.hazmat.primitives import serialization

        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public, private = _seal(self.tcti, raw)
        doc = {
            "format": SEALED_FORMAT,
            "public": base64.b64encode(public).decode("ascii"),
            "private": base64.b64encode(private).decode("ascii"),
        }
        _write_key(self.path, json.dumps(doc, indent=1).encode("utf-8"))

    def load(self) -> Ed25519PrivateKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        try:
            doc = json.loads(self.path.read_bytes())
            if doc.get("format") != SEALED_FORMAT:
                raise ValueError(f"format {doc.get('format')!r}")
            public = base64.b64decode(doc["public"], validate=True)
            private = base64.b64decode(doc["private"], validate=True)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyUnsealFailed(f"sealed device key {self.path} is damaged: {exc}") from exc
        raw = _unseal(self.tcti, public, private)
        try:
            return Ed25519PrivateKey.from_private_bytes(raw)
        except ValueError as exc:
            raise KeyUnsealFailed("the TPM unsealed something that is not an Ed25519 key") from exc


def store_for_saving(keys: Path, environ: Mapping[str, str] | None = None) -> DeviceKeyStore:
    """Where a new key goes: the TPM when this machine has one, else the 0600 file."""
    tcti = tpm_tcti(environ)
    if tcti is None:
        return FileKeyStore(keys / KEY_FILE)
    return TpmKeyStore(keys / SEALED_FILE, tcti)


def save_device_key(
    keys: Path, key: Ed25519PrivateKey, environ: Mapping[str, str] | None = None
) -> KeyProtection:
    """Keep ``key`` under ``keys`` and remove a key of the other kind left from before."""
    store = store_for_saving(keys, environ)
    store.save(key)
    _remove(keys / (KEY_FILE if store.protection is KeyProtection.TPM_SEALED else SEALED_FILE))
    log.info("%s", store.protection.describe())
    return store.protection


def load_device_key(keys: Path, environ: Mapping[str, str] | None = None) -> Ed25519PrivateKey:
    """The key under ``keys``, unsealed by the TPM when it is sealed. A file key on a machine
    that has a TPM is sealed on the way and its file removed; if sealing fails, the file stays
    and is used (the kiosk keeps working; the technician sees "file")."""
    tcti = tpm_tcti(environ)
    sealed = keys / SEALED_FILE
    if sealed.is_file():
        key = TpmKeyStore(sealed, tcti or f"device:{TPM_DEVICE}").load()
        _remove(keys / KEY_FILE)  # left by a move into the TPM that stopped half-way
        return key
    key = FileKeyStore(keys / KEY_FILE).load()
    if tcti is not None:
        try:
            TpmKeyStore(sealed, tcti).save(key)
            if _same_key(TpmKeyStore(sealed, tcti).load(), key):
                _remove(keys / KEY_FILE)
                log.info("device key moved from its file into the TPM")
            else:  # cannot happen with a working TPM; keep the file that works
                _remove(sealed)
        except KeyStoreError as exc:
            _remove(sealed)
            log.warning("device key stays in its file: sealing it failed (%s)", exc.strerror)
    return key


def _same_key(a: Ed25519PrivateKey, b: Ed25519PrivateKey) -> bool:
    from cryptography.hazmat.primitives import serialization

    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    return a.public_key().public_bytes(*raw) == b.public_key().public_bytes(*raw)


# -- the TPM (tpm2-pytss ESAPI) -----------------------------------------------------------------


def _esapi(tcti: str) -> Any:
    try:
        from tpm2_pytss import ESAPI, TSS2_Exception
    except ImportError as exc:  # the wheel, or the tss2 C libraries it loads, are missing
        raise TpmUnavailable(f"no TPM software stack (tpm2-pytss): {exc}") from exc
    try:
        return ESAPI(tcti)
    except (TSS2_Exception, RuntimeError, ValueError) as exc:
        raise TpmUnavailable(f"no TPM at {tcti}: {exc}") from exc


def _open_with_primary(tcti: str, stack: contextlib.ExitStack) -> tuple[Any, Any, Any]:
    """An ESAPI context, the owner hierarchy's storage primary (TCG SRK template) and a session
    salted to it that encrypts the first parameter both ways (the sealed data going in and
    coming out). ``stack`` flushes and closes them: on a TPM without a resource manager
    (swtpm, a bare /dev/tpm0) a transient object left loaded fills its few slots."""
    from tpm2_pytss import (
        ESYS_TR,
        TPM2_ALG,
        TPM2_SE,
        TPM2B_PUBLIC,
        TPMA_OBJECT,
        TPMA_SESSION,
        TPMT_PUBLIC,
        TSS2_Exception,
    )

    ectx = _esapi(tcti)
    stack.callback(ectx.close)
    attrs = (
        TPMA_OBJECT.RESTRICTED
        | TPMA_OBJECT.DECRYPT
        | TPMA_OBJECT.FIXEDTPM
        | TPMA_OBJECT.FIXEDPARENT
        | TPMA_OBJECT.SENSITIVEDATAORIGIN
        | TPMA_OBJECT.USERWITHAUTH
        | TPMA_OBJECT.NODA
    )
    template = TPM2B_PUBLIC(TPMT_PUBLIC.parse("ecc256:aes128cfb", objectAttributes=attrs))
    try:
        primary = ectx.create_primary(None, template, ESYS_TR.OWNER)[0]
        stack.callback(ectx.flush_context, primary)
        session = ectx.start_auth_session(
            tpm_key=primary,
            bind=ESYS_TR.NONE,
            session_type=TPM2_SE.HMAC,
            symmetric="aes128cfb",
            auth_hash=TPM2_ALG.SHA256,
        )
        stack.callback(ectx.flush_context, session)
        ectx.trsess_set_attributes(
            session, TPMA_SESSION.CONTINUESESSION | TPMA_SESSION.ENCRYPT | TPMA_SESSION.DECRYPT
        )
    except TSS2_Exception as exc:  # e.g. an owner hierarchy with a password set
        raise TpmUnavailable(f"the TPM at {tcti} refused its storage primary: {exc}") from exc
    return ectx, primary, session


def _seal(tcti: str, secret: bytes) -> tuple[bytes, bytes]:
    """(public, private) marshalled parts of a sealed data object holding ``secret``."""
    from tpm2_pytss import (
        TPM2_ALG,
        TPM2B_PUBLIC,
        TPM2B_SENSITIVE_CREATE,
        TPM2B_SENSITIVE_DATA,
        TPMA_OBJECT,
        TPMS_SENSITIVE_CREATE,
        TPMT_PUBLIC,
        TSS2_Exception,
    )

    # A sealed data object: fixed to this TPM and this parent, no sign or decrypt use, so the
    # only way out of the TPM is TPM2_Unseal. Empty auth: the protection is the TPM's seed; a
    # password kept beside the blob would add nothing against a copied folder.
    template = TPMT_PUBLIC(
        type=TPM2_ALG.KEYEDHASH,
        nameAlg=TPM2_ALG.SHA256,
        objectAttributes=TPMA_OBJECT.FIXEDTPM
        | TPMA_OBJECT.FIXEDPARENT
        | TPMA_OBJECT.USERWITHAUTH
        | TPMA_OBJECT.NODA,
    )
    template.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG.NULL
    sensitive = TPM2B_SENSITIVE_CREATE(TPMS_SENSITIVE_CREATE(data=TPM2B_SENSITIVE_DATA(secret)))
    with contextlib.ExitStack() as stack:
        ectx, primary, session = _open_with_primary(tcti, stack)
        try:
            private, public = ectx.create(
                primary, sensitive, TPM2B_PUBLIC(template), session1=session
            )[:2]
        except TSS2_Exception as exc:
            raise TpmUnavailable(f"the TPM at {tcti} refused to seal the key: {exc}") from exc
    return bytes(public.marshal()), bytes(private.marshal())


def _unseal(tcti: str, public: bytes, private: bytes) -> bytes:
    from tpm2_pytss import TPM2B_PRIVATE, TPM2B_PUBLIC, TSS2_Exception

    with contextlib.ExitStack() as stack:
        ectx, primary, session = _open_with_primary(tcti, stack)
        try:
            sealed = ectx.load(
                primary, TPM2B_PRIVATE.unmarshal(private)[0], TPM2B_PUBLIC.unmarshal(public)[0]
            )
            stack.callback(ectx.flush_context, sealed)
            secret = bytes(ectx.unseal(sealed, session1=session))
        except (TSS2_Exception, RuntimeError) as exc:
            # TPM_RC_INTEGRITY and kin: the blob was sealed under another seed (another machine,
            # or this TPM before a clear), or it was changed.
            raise KeyUnsealFailed(
                f"this TPM ({tcti}) cannot unseal the device key (sealed on another machine, "
                f"or the TPM was cleared): {exc}"
            ) from exc
    return secret
