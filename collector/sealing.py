"""The one codec for narratives at rest: `seal` before a value is stored, `unseal` after it is
read. Every place that stores or reads an answer's value calls these two (marked `# SEALING`).

With MAA_DATA_KEY set, a text value is stored as
`maa-sealed:v1:<key id>:<base64url(nonce | AES-256-GCM ciphertext+tag)>`; the key id is bound
into the ciphertext as associated data, so a value cannot be passed off under another key.
Values that are not text (grades, yes/no, lists) are stored as they are: the tally reads grades
in SQL, and they are not narrative. Without the key nothing is sealed, and values sealed before
refuse to open (one clear error), so a copied database or backup shows no narrative.

The keys are process-wide: `configure` is called where the settings are read (the collector's
start, every `maa` command); the SQLite writer thread and the event loop share them.
"""

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from collector.errors import DomainError

PREFIX = "maa-sealed:v1:"
NONCE = 12


class KeyMissing(DomainError):
    status, code = 503, "data_key_missing"


@dataclass(frozen=True)
class Keyring:
    current: str  # the key id new values are sealed with: the first in MAA_DATA_KEY
    keys: dict[str, AESGCM]


_ring: Keyring | None = None


def parse(text: str) -> Keyring | None:
    """`id:base64url-32-bytes[,id:...]` (validated by Settings) into a keyring; None if empty."""
    pairs = [item.strip().split(":", 1) for item in text.split(",") if item.strip()]
    if not pairs:
        return None
    keys = {kid: AESGCM(base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))) for kid, k in pairs}
    return Keyring(current=pairs[0][0], keys=keys)


def configure(data_key: str) -> None:
    global _ring
    _ring = parse(data_key)


def new_key(key_id: str) -> str:
    """A fresh key in MAA_DATA_KEY's form."""
    return f"{key_id}:{base64.urlsafe_b64encode(AESGCM.generate_key(256)).decode().rstrip('=')}"


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id(value: Any) -> str | None:
    return value[len(PREFIX) :].split(":", 1)[0] if is_sealed(value) else None


def seal(value: Any) -> Any:
    """The value as it is stored: text sealed under the current key when there is one."""
    if _ring is None or not isinstance(value, str) or is_sealed(value):
        return value
    nonce = os.urandom(NONCE)
    body = _ring.keys[_ring.current].encrypt(nonce, value.encode(), _ring.current.encode())
    return f"{PREFIX}{_ring.current}:{base64.urlsafe_b64encode(nonce + body).decode()}"


def unseal(value: Any) -> Any:
    """The value as it was given; refuses (503) when its key is not configured."""
    if not is_sealed(value):
        return value
    kid, _, data = value[len(PREFIX) :].partition(":")
    key = _ring.keys.get(kid) if _ring else None
    if key is None:
        raise KeyMissing(
            f"Some answers are encrypted with data key '{kid}', which is not in MAA_DATA_KEY."
        )
    raw = base64.urlsafe_b64decode(data)
    try:
        return key.decrypt(raw[:NONCE], raw[NONCE:], kid.encode()).decode()
    except InvalidTag:
        raise KeyMissing(f"An answer does not open with data key '{kid}': wrong key.") from None


def seal_all(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """An audit event's before/after ({question: value}) as it is stored."""
    return None if values is None else {k: seal(v) for k, v in values.items()}


def unseal_all(values: Any) -> Any:
    return {k: unseal(v) for k, v in values.items()} if isinstance(values, dict) else values


def seal_json(document: dict[str, Any]) -> dict[str, Any]:
    """A whole JSON document (a kept report) as it is stored."""
    if _ring is None:
        return document
    return {"sealed": seal(json.dumps(document, ensure_ascii=False))}


def unseal_json(stored: dict[str, Any]) -> dict[str, Any]:
    if set(stored) == {"sealed"} and is_sealed(stored["sealed"]):
        return json.loads(unseal(stored["sealed"]))
    return stored


def reseal(value: Any) -> Any:
    """Opened and sealed again under the current key (for `maa rotate-key`)."""
    return seal(unseal(value))
