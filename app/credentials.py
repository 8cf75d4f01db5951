"""API keys for model servers, kept in the system keyring (the `keyring` package).

Where no keyring backend works (a bare Linux session without Secret Service, a
container), a key is kept in memory for this session only, and `save_api_key` says so
in its answer so the writer can be told. A key is never written to settings.json, a
log, a message or an export: only its presence is ever mentioned.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: The keyring "service" under which Draftsmith's keys are filed.
SERVICE = "Draftsmith model servers"

_session: dict[str, str] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class KeyStored:
    """Where a key went: the system keyring, or this session's memory only."""

    in_keyring: bool
    note: str


def _account(url: str, model: str) -> str:
    return f"{url.rstrip('/')}#{model}"


def _keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # noqa: BLE001 - no keyring package or a broken backend
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001
        return False
    if isinstance(backend, fail.Keyring):
        return False
    chained = getattr(backend, "backends", None)
    return not (chained is not None and not chained)


def save_api_key(url: str, model: str, key: str) -> KeyStored:
    """Keep `key` for this server: in the keyring where there is one, else in memory."""
    account = _account(url, model)
    if _keyring_usable():
        import keyring

        try:
            keyring.set_password(SERVICE, account, key)
        except Exception as exc:  # noqa: BLE001 - keyring.errors.* or a backend's own error
            log.warning("the system keyring refused the key for %s: %s", url, type(exc).__name__)
        else:
            with _lock:
                _session.pop(account, None)
            return KeyStored(True, "The API key is kept in the system keyring.")
    with _lock:
        _session[account] = key
    return KeyStored(
        False,
        "No system keyring is available, so the API key is kept only until Draftsmith "
        "quits; you will be asked for it again next time.",
    )


def api_key(url: str, model: str) -> str | None:
    """The key saved for this server, or None."""
    account = _account(url, model)
    with _lock:
        if account in _session:
            return _session[account]
    if not _keyring_usable():
        return None
    import keyring

    try:
        return keyring.get_password(SERVICE, account)
    except Exception as exc:  # noqa: BLE001
        log.warning("the system keyring could not be read for %s: %s", url, type(exc).__name__)
        return None


def forget_api_key(url: str, model: str) -> None:
    """Remove the key saved for this server, wherever it is."""
    account = _account(url, model)
    with _lock:
        _session.pop(account, None)
    if _keyring_usable():
        import keyring

        try:
            keyring.delete_password(SERVICE, account)
        except Exception:  # noqa: BLE001 - nothing saved, or the keyring is locked
            pass
