"""Values that must never sit in the database in clear: A1 certificates and their passwords, the NFC-e CSC,
bank API credentials.

Encryption is Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) over a key ring:
- `RETAGUARDA_ENCRYPTION_KEYS` in the environment: keys separated by commas, or
- else the file `encryption_keys` in the data folder, one key a line, created with mode 600 on first use.
The first key encrypts; every key decrypts, so a key can be rotated without downtime
(`retaguarda rotate_encryption_key`, see docs/SECRETS.md). Losing the key loses the secrets: back up the
file with the database, never inside it.

Models use `EncryptedTextField` (a str) or `EncryptedBytesField` (bytes, e.g. a PFX); services may call
`encrypt`/`decrypt` directly. Encrypted columns cannot be searched, and audit snapshots show a keyed
fingerprint instead of the value.
"""

import functools
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from retaguarda.core.errors import DomainError

ENV_KEYS = "RETAGUARDA_ENCRYPTION_KEYS"
KEY_FILE_NAME = "encryption_keys"


class SecretUnreadable(DomainError):
    """A stored secret does not decrypt with any configured key (a lost or replaced key file)."""

    code = "core.secret_unreadable"
    status = 409
    default_message = _(
        "A stored secret could not be read with the configured encryption keys. "
        "Restore the data folder's encryption_keys file or ask an administrator."
    )


class BadEncryptionKey(DomainError):
    code = "core.bad_encryption_key"
    status = 409
    default_message = _("The encryption key configured is not valid (expected a Fernet key).")


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def write_key_file(keys: list[str], path: Path | None = None) -> None:
    """Replace the key file atomically (readers never see half a file), mode 600 from the start."""
    path = path or key_file()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as fh:
        fh.write("".join(f"{key}\n" for key in keys))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, path)


def _create_key_file(path: Path) -> None:
    # Exclusive create: two processes starting together keep the first key written.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w") as fh:
        fh.write(generate_key() + "\n")


def configured_keys() -> list[str]:
    """The key ring, first key first: from the environment, else from (or into) the data folder's file."""
    if value := os.environ.get(ENV_KEYS, "").strip():
        return [key.strip() for key in value.split(",") if key.strip()]
    path = key_file()
    if not path.exists():
        _create_key_file(path)
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


@functools.lru_cache(maxsize=8)
def _ring(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        raise BadEncryptionKey() from None


def keyring() -> MultiFernet:
    """The current ring; re-read on every call (a stat and a small read) so a rotation reaches every process."""
    keys = tuple(configured_keys())
    if not keys:
        raise BadEncryptionKey()
    return _ring(keys)


def encrypt(value: bytes | str) -> str:
    """A token (ASCII text) that only the key ring can open."""
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return keyring().encrypt(data).decode("ascii")


def decrypt(token: str) -> bytes:
    try:
        return keyring().decrypt(token.encode("ascii") if isinstance(token, str) else bytes(token))
    except (InvalidToken, UnicodeEncodeError):
        raise SecretUnreadable() from None


def decrypt_text(token: str) -> str:
    return decrypt(token).decode("utf-8")


def reencrypt(token: str) -> str:
    """The same value under the first key (what rotation does to every stored token)."""
    try:
        return keyring().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise SecretUnreadable() from None


class _Encrypted:
    """Shared by the two fields: stored as a Fernet token in a text column; '' and NULL stay as they are."""

    secret = True  # core.audit shows a fingerprint instead of the value
    description = _("Encrypted value")

    def get_prep_value(self, value):
        if value is None or value in ("", b""):
            return None if value is None else ""
        return encrypt(self._to_plain(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None if value is None else self._empty
        return self._from_bytes(decrypt(value))


class EncryptedTextField(_Encrypted, models.TextField):
    _empty = ""

    def _to_plain(self, value) -> bytes:
        return str(value).encode("utf-8")

    def _from_bytes(self, data: bytes) -> str:
        return data.decode("utf-8")

    def to_python(self, value):
        return value if value is None else str(value)


class EncryptedBytesField(_Encrypted, models.TextField):
    _empty = b""

    def _to_plain(self, value) -> bytes:
        return bytes(value)

    def _from_bytes(self, data: bytes) -> bytes:
        return data

    def to_python(self, value):
        return value if value is None or isinstance(value, bytes) else bytes(value)


def encrypted_fields() -> list[models.Field]:
    """Every encrypted column of every installed model (what rotation re-encrypts)."""
    from django.apps import apps

    return [
        field
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        for field in model._meta.concrete_fields
        if getattr(field, "secret", False)
    ]


def reencrypt_stored(fields: list[models.Field] | None = None) -> int:
    """Rewrite every stored secret under the first key, in one transaction; returns how many values."""
    count = 0
    with transaction.atomic():
        for field in encrypted_fields() if fields is None else fields:
            manager = field.model._base_manager
            rows = manager.exclude(**{f"{field.attname}__isnull": True}).exclude(**{field.attname: ""})
            # Reading decrypts with the whole ring; writing encrypts with the first key.
            for pk, value in rows.values_list("pk", field.attname).iterator(chunk_size=500):
                manager.filter(pk=pk).update(**{field.attname: value})
                count += 1
    return count


def rotate_key(*, drop_old: bool, fields: list[models.Field] | None = None) -> tuple[str, int]:
    """Put a new key first in the key file, re-encrypt every stored secret with it, and (when asked)
    forget the old keys once no stored value needs them. Returns (the new key's fingerprint, values)."""
    if os.environ.get(ENV_KEYS, "").strip():
        raise BadEncryptionKey(
            _(
                "The keys come from %(env)s: put a new key first in it, restart, then run this command with "
                "--reencrypt-only."
            )
            % {"env": ENV_KEYS}
        )
    old = configured_keys()
    new = generate_key()
    write_key_file([new, *old])
    count = reencrypt_stored(fields)
    if drop_old:
        write_key_file([new])
    return fingerprint(new), count


def fingerprint(key: str) -> str:
    """A short, harmless name for a key (to tell keys apart in logs and the command's output)."""
    import hashlib

    return hashlib.sha256(key.encode("ascii")).hexdigest()[:12]
