"""Remote commands: what the hall's console asks a station to do, as both sides speak it.

A supervisor or a technician issues a command at the console (:mod:`hall.remote_commands`); the
hall keeps it, and hands it to the station in the answer to its next heartbeat (``{"commands":
[...]}``), each one **signed** with the hall's content key under its own context
(:func:`contracts.content_signature.context` of :data:`SIGNATURE_KIND`, so no catalog signature
can pass for a command). The kiosk (:mod:`kiosk.remote_commands`) verifies the signature with the
content key it pinned at enrolment, refuses a command for another station, drops one past its
``expires_at`` (reported ``expired``), ignores an id it has seen before, and applies the rest
only between walk-ins; it answers each with a :class:`CommandResult`
(``POST`` :func:`result_path`, device signed).

``set`` changes one configuration value from :data:`SETTABLE` (the allow-list, with the JSON type
each key takes); :func:`set_problem` is the check both sides make, so a wrong key or type is
refused at the console with the same reason the kiosk would give. Whether a value is accepted
(a backend the kiosk knows, a timeout in range) is the kiosk's configuration's to say.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field

from contracts.content_signature import ContentPublicKey, context
from contracts.ids import STATION_ID_PATTERN

SIGNATURE_KIND: Final = "remote_command"

Kind = Literal[
    "restart",
    "reload_config",
    "self_test",
    "upload_diagnostics",
    "set",
    "technician_code",
    "set_fallback_pin",
]
KINDS: Final[tuple[str, ...]] = Kind.__args__  # type: ignore[attr-defined]
# What the console may ask by name (the two technician kinds come from their own routes).
CONSOLE_KINDS: Final = ("restart", "reload_config", "self_test", "upload_diagnostics", "set")

# The configuration keys a console may set, with the JSON type of each value.
_DEVICES = ("card_reader", "printer", "camera", "speaker")
SETTABLE: Final[dict[str, str]] = {
    **{f"devices.{d}.backend": "string" for d in _DEVICES},
    **{f"devices.{d}.options": "object" for d in _DEVICES},
    "timeouts.idle_s": "number",
    "timeouts.warning_s": "number",
    "timeouts.receipt_s": "number",
    "timeouts.card_read_s": "number",
    "ui.language": "string",
    "ui.care_mode": "boolean",
    "speech.enabled": "boolean",
    "speech.volume": "integer",
}

Status = Literal["queued", "delivered", "done", "failed", "expired"]
CommandId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
StaffName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{2,64}$")]


def _type_of(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else "null"


# The JSON types as the console's refusals name them.
_TYPE_ZH: Final[dict[str, str]] = {
    "string": "字符串",
    "integer": "整数",
    "number": "数字",
    "boolean": "布尔值（true / false）",
    "object": "JSON 对象",
    "array": "数组",
    "null": "空值",
}


@dataclass(frozen=True, slots=True)
class SetProblem:
    """Why a ``set`` command is refused: a code, and the reason in Chinese (the console's
    officers) and English (logs, the station's command result)."""

    code: str
    zh: str
    en: str

    def __str__(self) -> str:
        return self.en


def set_problem(args: dict[str, Any]) -> SetProblem | None:
    """Why a ``set`` command's ``{"key", "value"}`` is refused (None: allowed)."""
    if set(args) != {"key", "value"}:
        return SetProblem(
            "SET_ARGS",
            "设置指令须且只须给出配置项和新值",
            "a set command takes exactly 'key' and 'value'",
        )
    key, value = args["key"], args["value"]
    if not isinstance(key, str) or key not in SETTABLE:
        shown = str(key)[:64]
        return SetProblem(
            "SET_KEY_NOT_ALLOWED",
            f"“{shown}”不是可远程设置的配置项，可设置：{'、'.join(SETTABLE)}",
            f"{shown!r} is not a key the console may set; allowed: {', '.join(SETTABLE)}",
        )
    wanted, found = SETTABLE[key], _type_of(value)
    if found != wanted and not (wanted == "number" and found == "integer"):
        return SetProblem(
            "SET_WRONG_TYPE",
            f"{key} 的值须为{_TYPE_ZH[wanted]}，不能是{_TYPE_ZH[found]}",
            f"{key}: the value must be a JSON {wanted}, not a {found}",
        )
    if found == "string" and not 0 < len(value) <= 64:
        return SetProblem(
            "SET_BAD_LENGTH", f"{key} 的值须为 1 到 64 个字符", f"{key}: 1 to 64 characters"
        )
    return None


class Command(BaseModel):
    """One command as the hall signs it and the kiosk checks it."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: CommandId
    station_id: str = Field(pattern=STATION_ID_PATTERN, max_length=32)
    kind: Kind
    args: dict[str, Any] = Field(default_factory=dict)
    issued_by: StaffName
    issued_at: str = Field(max_length=40)
    expires_at: str = Field(max_length=40)


class SignedCommand(Command):
    signature: str = Field(max_length=128)


def signing_input(command: Command) -> bytes:
    """The bytes the signature covers: the command's fields as canonical JSON."""
    fields = command.model_dump(mode="json", exclude={"signature"})
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signed(command: Command, signature: bytes) -> SignedCommand:
    """``command`` with the hall's ``signature`` (content key, :data:`SIGNATURE_KIND`)."""
    text = base64.b64encode(signature).decode("ascii")
    return SignedCommand(**command.model_dump(), signature=text)


def signature_ok(key: ContentPublicKey, command: SignedCommand) -> bool:
    """Whether ``command`` carries the hall's signature over exactly these fields."""
    try:
        raw = base64.b64decode(command.signature, validate=True)
        Ed25519PublicKey.from_public_bytes(key.raw).verify(
            raw, context(SIGNATURE_KIND) + signing_input(command)
        )
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


class CommandResult(BaseModel):
    """A station's answer to one command: what happened, in codes and short words (nothing
    personal: a setting, a device's health code, a file name)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    status: Literal["done", "failed", "expired"]
    detail: str = Field(default="", max_length=300)


def result_path(station_id: str, command_id: str) -> str:
    return f"/api/v1/stations/{station_id}/commands/{command_id}/result"
