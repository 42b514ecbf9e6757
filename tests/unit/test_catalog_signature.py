"""The kiosk takes only catalogs the hall's content key signed (contracts.content_signature).

An unsigned catalog, one signed by another key, one whose body changed after signing, and any
catalog while no key is pinned are refused with a failure code for the technician; the last good
catalog stays in use and on disk. A cache file altered on disk is not used. A catalog taken at a
session's start stays that session's version while a refresh brings a newer one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.content_signature import (
    BAD_SIGNATURE,
    KEY_MISSING,
    PIN_FILE,
    UNSIGNED,
    public_of,
    sign,
    signature_in,
    signed_etag,
)
from kiosk.services.catalog import DEFAULT_CATALOG_PATH
from kiosk.services.catalog_cache import CACHE_FILE_NAME, CatalogCache, Fetch

HALL_KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()


def body_of(version: str) -> bytes:
    doc: dict[str, Any] = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    return json.dumps({**doc, "version": version}, ensure_ascii=False).encode("utf-8")


def tag(body: bytes, key: Ed25519PrivateKey = HALL_KEY) -> str:
    return signed_etag(hashlib.sha256(body).hexdigest()[:32], sign(key, body))


def serving(body: bytes, etag: str | None) -> Fetch:
    def fetch(_: str | None) -> tuple[int, str | None, bytes]:
        return 200, etag, body

    return fetch


def pin(state_dir: Path, key: Ed25519PrivateKey = HALL_KEY) -> None:
    (state_dir / PIN_FILE).parent.mkdir(parents=True, exist_ok=True)
    (state_dir / PIN_FILE).write_text(json.dumps(public_of(key).to_json()), "utf-8")


@pytest.fixture
def station(tmp_path: Path) -> Path:
    pin(tmp_path)
    return tmp_path


def test_a_signed_catalog_is_taken(station: Path) -> None:
    body = body_of("2026.12.1")
    result = CatalogCache(station).refresh(serving(body, tag(body)))
    assert (result.outcome, result.code) == ("updated", None)
    assert result.current.catalog.version == "2026.12.1"
    assert CatalogCache(station).load().catalog.version == "2026.12.1"


@pytest.mark.parametrize(
    ("etag_of", "code"),
    [
        (lambda body: '"' + hashlib.sha256(body).hexdigest()[:32] + '"', UNSIGNED),
        (lambda body: None, UNSIGNED),
        (lambda body: tag(body, OTHER_KEY), BAD_SIGNATURE),
        (lambda body: tag(body.replace(b"2026.12.2", b"2026.12.3")), BAD_SIGNATURE),
        (lambda body: tag(body)[:-5] + '!!!!"', UNSIGNED),
    ],
    ids=["plain-etag", "no-etag", "other-key", "body-changed", "garbled"],
)
def test_a_badly_signed_catalog_is_refused_and_the_last_good_one_stays(
    station: Path, etag_of: Any, code: str
) -> None:
    cache = CatalogCache(station)
    good = body_of("2026.12.1")
    assert cache.refresh(serving(good, tag(good))).outcome == "updated"
    on_disk = (station / CACHE_FILE_NAME).read_bytes()

    bad = body_of("2026.12.2")
    result = cache.refresh(serving(bad, etag_of(bad)))
    assert (result.outcome, result.code) == ("rejected", code)
    assert result.current.catalog.version == "2026.12.1"
    assert (station / CACHE_FILE_NAME).read_bytes() == on_disk


def test_without_a_pinned_key_nothing_from_the_hall_is_taken(tmp_path: Path) -> None:
    body = body_of("2026.12.1")
    result = CatalogCache(tmp_path).refresh(serving(body, tag(body)))
    assert (result.outcome, result.code) == ("rejected", KEY_MISSING)
    assert result.current.source == "sample"
    assert not (tmp_path / CACHE_FILE_NAME).exists()


def test_a_weak_etag_from_a_proxy_still_carries_the_signature(station: Path) -> None:
    body = body_of("2026.12.1")
    assert signature_in("W/" + tag(body)) == signature_in(tag(body))
    assert CatalogCache(station).refresh(serving(body, "W/" + tag(body))).outcome == "updated"


def test_a_cache_file_altered_on_disk_is_not_used(station: Path) -> None:
    body = body_of("2026.12.1")
    CatalogCache(station).refresh(serving(body, tag(body)))
    path = station / CACHE_FILE_NAME
    envelope = json.loads(path.read_text("utf-8"))
    envelope["body"] = envelope["body"].replace("2026.12.1", "2026.12.7")
    path.write_text(json.dumps(envelope, ensure_ascii=False), "utf-8")
    assert CatalogCache(station).load().source == "sample"


def test_a_session_keeps_the_version_it_started_with(station: Path) -> None:
    cache = CatalogCache(station)
    first = body_of("2026.12.1")
    cache.refresh(serving(first, tag(first)))
    session = cache.current  # what the UI hands a walk-in when the session starts
    newer = body_of("2026.12.2")
    assert cache.refresh(serving(newer, tag(newer))).outcome == "updated"
    # The next session gets the newer one; the running one still has its own, unchanged.
    assert cache.current.catalog.version == "2026.12.2"
    assert session.catalog.version == "2026.12.1"
    with pytest.raises(AttributeError):
        session.catalog = cache.current.catalog  # type: ignore[misc]


def test_a_fetched_key_counts_only_with_the_proof_of_the_pinned_sealing_key(
    tmp_path: Path,
) -> None:
    """A station without a content key asks for it; an answer that cannot prove it opened the
    challenge sealed to the pinned sealing key (someone on the way handing over their own key)
    is refused, and nothing is pinned. The hall holding the sealing key is believed."""
    import base64

    from contracts.content_signature import KEY_CHALLENGE_CONTEXT, key_proof
    from contracts.sealing import HallKeyPair
    from kiosk.provision import fetch_content_key
    from offline_queue.hall_key import pin as pin_hall_key

    seal = HallKeyPair.generate()
    pin_hall_key(tmp_path, seal.public)
    body = body_of("2026.12.1")

    def impostor(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        mine = public_of(OTHER_KEY)
        return 200, {"content_key": mine.to_json(), "proof": key_proof(b"\0" * 32, mine)}

    refused = CatalogCache(tmp_path).refresh(
        serving(body, tag(body, OTHER_KEY)), fetch_key=lambda: fetch_content_key(tmp_path, impostor)
    )
    assert (refused.outcome, refused.code) == ("rejected", KEY_MISSING)
    assert not (tmp_path / PIN_FILE).exists()

    def hall(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        sealed = base64.b64decode(request["challenge"])
        challenge = seal.open(sealed, KEY_CHALLENGE_CONTEXT)
        key = public_of(HALL_KEY)
        return 200, {"content_key": key.to_json(), "proof": key_proof(challenge, key)}

    taken = CatalogCache(tmp_path).refresh(
        serving(body, tag(body)), fetch_key=lambda: fetch_content_key(tmp_path, hall)
    )
    assert (taken.outcome, taken.code) == ("updated", None)
    assert (tmp_path / PIN_FILE).exists()


def test_an_unreachable_hall_while_fetching_the_key_is_offline(tmp_path: Path) -> None:
    body = body_of("2026.12.1")

    def down() -> Any:
        raise ConnectionError("refused")

    result = CatalogCache(tmp_path).refresh(serving(body, tag(body)), fetch_key=down)
    assert result.outcome == "offline"
    assert result.current.source == "sample"
