"""The hall's sealing key pair: stations seal filings and attachments to its public half.

Created at hall setup — the hall's first start on a database — as a 0600 file (in a 0700 folder)
holding the raw X25519 private key: where ``python -m hall --seal-key FILE`` says, else beside a
SQLite database (``hall.db`` → ``hall.keys/seal.key``) or, for a database server, under
``$XDG_DATA_HOME/qihang-hall``. A key file others can read stops the hall with the reason. The
public half reaches each station in its enrolment answer, where the station pins it
(:mod:`kiosk.provision`). Losing this file loses every filing still queued at a station: back it
up with the database.

Opening is done at intake (:func:`open_submission`, :func:`open_blob`): what the hall stores is
plaintext, as before; what sits on a kiosk's disk and crosses the station network is sealed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.sealing import HallKeyPair, SealError
from contracts.wire import SealedContent, SealedSubmission, Submission, blob_context
from hall.body_limits import check_json

KEY_FILE = "seal.key"


class SealKeyError(Exception):
    """The hall's sealing key file cannot be used."""


class EnvelopeRefused(Exception):
    """A sealed body that does not open or does not hold what it claims; ``reason`` says why
    (no personal data in it)."""

    def __init__(self, reason: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        # For content that opened but is not a submission: where and why, the shape FastAPI's
        # own 422s have (``loc`` from ``body``, as if the sealed fields had come in clear).
        self.errors = errors


def default_key_path(database_url: str) -> Path:
    """Beside a SQLite file (``hall.db`` → ``hall.keys/seal.key``); for a database server, a
    folder named for the URL under ``$XDG_DATA_HOME/qihang-hall`` (never a temporary folder:
    losing the key loses what stations still hold)."""
    if database_url.startswith("sqlite") and ":///" in database_url:
        db_file = Path(database_url.split(":///", 1)[1])
        return db_file.with_name(db_file.stem + ".keys") / KEY_FILE
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    tag = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return data_home / "qihang-hall" / f"db-{tag}" / KEY_FILE


def load_or_create(path: Path) -> HallKeyPair:
    """The key pair in ``path``, created (0600, in a 0700 folder) if there is none yet."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create(path, HallKeyPair.generate().private_bytes())
    return load(path)


def _create(path: Path, raw: bytes) -> None:
    # Written whole to a private temporary file, then linked into place: link() fails if another
    # hall starting on the same folder won the race, so both use one key and nobody reads half.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load(path: Path) -> HallKeyPair:
    try:
        with Path(path).open("rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            raw = f.read(33)
    except OSError as exc:
        raise SealKeyError(f"{path}: {exc.strerror or exc}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SealKeyError(
            f"{path} is readable by others (mode {stat.S_IMODE(mode):04o}); chmod 600 it"
        )
    try:
        return HallKeyPair.from_private_bytes(raw)
    except ValueError as exc:
        raise SealKeyError(f"{path}: {exc}") from None


def open_submission(keys: HallKeyPair, sealed: SealedSubmission) -> Submission:
    """The submission inside ``sealed``; :class:`EnvelopeRefused` if it does not open."""
    try:
        envelope = sealed.envelope()
    except ValueError:
        raise EnvelopeRefused("sealed is not base64") from None
    try:
        plaintext = keys.open(envelope, sealed.context())
    except SealError as exc:
        raise EnvelopeRefused(f"the sealed body does not open: {exc}") from None
    # The body guard in front of the app (hall.body_limits) saw only the envelope: NaN, Infinity
    # or deep nesting inside it would pass pydantic and fail hashing the content as a 500.
    unfit = check_json(plaintext)
    if unfit is not None:
        raise EnvelopeRefused(f"the sealed content is refused: {unfit}")
    try:
        content = SealedContent.model_validate_json(plaintext, strict=False)
        return sealed.opened(content)
    except ValidationError as exc:
        # Where and why only: the input itself is personal.
        errors = [
            {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        where = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in errors[:5])
        raise EnvelopeRefused(f"the sealed content is not a submission ({where})", errors) from None


def open_blob(keys: HallKeyPair, sha256: str, envelope: bytes) -> bytes:
    """The attachment inside ``envelope``, held to its name; :class:`EnvelopeRefused` if not."""
    try:
        data = keys.open(envelope, blob_context(sha256))
    except SealError as exc:
        raise EnvelopeRefused(f"the sealed attachment does not open: {exc}") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EnvelopeRefused("the attachment does not hash to its name")
    return data
