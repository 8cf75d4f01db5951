"""The writer's Ed25519 key: created on first use, kept in the data folder, used to sign
export manifests so anyone can check who exported a text and that nothing changed since."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "export-signing-ed25519.pem"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key with what others need to check its signatures."""

    private: Ed25519PrivateKey
    path: Path | None = None

    def public_key_raw_b64(self) -> str:
        """The 32-byte public key in base64: what manifests carry."""
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode("ascii")

    def public_key_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def sign(self, data: bytes) -> str:
        """An Ed25519 signature of `data`, base64."""
        return base64.b64encode(self.private.sign(data)).decode("ascii")


def load_or_create_key(data_dir: Path) -> SigningKey:
    """The writer's key from `data_dir/keys/`, created there (mode 0600) the first time."""
    return load_or_create_key_in(data_dir / "keys")


def load_or_create_key_in(keys: Path) -> SigningKey:
    """The writer's key from the folder `keys` itself (e.g. `app.paths.keys_dir()`)."""
    keys.mkdir(parents=True, exist_ok=True)
    os.chmod(keys, 0o700)
    path = keys / KEY_FILE
    if path.exists():
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 key")
        return SigningKey(private, path)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return SigningKey(private, path)


def public_key_from_b64(public_key: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))


def verify_signature(public_key: str | Ed25519PublicKey, signature: str, data: bytes) -> bool:
    """True when `signature` (base64) is the key's signature of `data`. Malformed input is
    a failed check, not an error."""
    try:
        key = (
            public_key
            if isinstance(public_key, Ed25519PublicKey)
            else public_key_from_b64(public_key)
        )
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def fingerprint(public_key: str) -> str:
    """A short, readable id of a public key (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]
