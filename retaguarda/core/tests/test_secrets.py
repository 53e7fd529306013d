"""core.secrets: values encrypted at rest, a key file made private, rotation that keeps every value readable."""

import stat

import pytest
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import isolate_apps

from retaguarda.core import audit, secrets
from retaguarda.core.secrets import EncryptedBytesField, EncryptedTextField, SecretUnreadable

PFX = bytes(range(256)) * 8  # binary, like an A1 certificate
PASSWORD = "senha-do-A1-ção"


@pytest.fixture
def key_dir(tmp_path, settings, monkeypatch):
    """A fresh data folder (its own key file) and no keys from the environment."""
    monkeypatch.delenv(secrets.ENV_KEYS, raising=False)
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def vault(key_dir, transactional_db):
    """A throwaway table with encrypted columns, created for the test on the engine under test."""
    with isolate_apps("retaguarda.core"):

        class Vault(models.Model):
            label = models.CharField(max_length=20)
            password = EncryptedTextField(blank=True, default="")
            certificate = EncryptedBytesField(null=True)

            class Meta:
                app_label = "core"
                db_table = "core_test_vault"

        with connection.schema_editor() as editor:
            editor.create_model(Vault)
        try:
            yield Vault
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Vault)


def _raw(column: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM core_test_vault ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def test_the_key_file_is_created_once_with_mode_600(key_dir):
    token = secrets.encrypt("x")
    path = key_dir / secrets.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_text()
    assert secrets.decrypt_text(token) == "x"
    secrets.encrypt("y")
    assert path.read_text() == first


def test_keys_from_the_environment_win_and_no_file_is_written(key_dir, monkeypatch):
    monkeypatch.setenv(secrets.ENV_KEYS, secrets.generate_key())
    token = secrets.encrypt(PASSWORD)
    assert secrets.decrypt_text(token) == PASSWORD
    assert not (key_dir / secrets.KEY_FILE_NAME).exists()
    monkeypatch.setenv(secrets.ENV_KEYS, secrets.generate_key())
    with pytest.raises(SecretUnreadable) as caught:
        secrets.decrypt(token)
    assert "encryption_keys" in caught.value.message


def test_a_malformed_key_is_refused_clearly(key_dir, monkeypatch):
    monkeypatch.setenv(secrets.ENV_KEYS, "not-a-key")
    with pytest.raises(secrets.BadEncryptionKey):
        secrets.encrypt("x")


def test_fields_store_ciphertext_and_read_back_the_values(vault):
    row = vault.objects.create(label="a", password=PASSWORD, certificate=PFX)
    vault.objects.create(label="b")
    stored_password, empty_password = _raw("password")
    stored_certificate, no_certificate = _raw("certificate")
    assert PASSWORD not in stored_password and stored_password.startswith("gAAAA")
    assert PFX.hex() not in stored_certificate and "ção" not in stored_certificate
    assert (empty_password, no_certificate) == ("", None)
    again = vault.objects.get(pk=row.pk)
    assert (again.password, again.certificate) == (PASSWORD, PFX)
    assert list(vault.objects.order_by("id").values_list("password", flat=True)) == [PASSWORD, ""]


def test_audit_snapshots_never_hold_the_secret(vault):
    row = vault.objects.create(label="a", password=PASSWORD, certificate=PFX)
    before = audit.snapshot(row)
    assert PASSWORD not in str(before) and before["password"].startswith("[secret ")
    row.password = "outra-senha"
    changes = audit.diff(before, audit.snapshot(row))
    assert list(changes) == ["password"]
    assert "outra-senha" not in str(changes)


def test_rotation_reencrypts_every_value_and_drops_the_old_key(vault, key_dir):
    rows = [vault.objects.create(label=str(n), password=f"{PASSWORD}{n}", certificate=PFX) for n in range(3)]
    path = key_dir / secrets.KEY_FILE_NAME
    old_key = path.read_text().strip()
    before = _raw("password")
    fields = [vault._meta.get_field("password"), vault._meta.get_field("certificate")]

    new_fingerprint, count = secrets.rotate_key(drop_old=True, fields=fields)

    keys = path.read_text().split()
    assert len(keys) == 1 and keys[0] != old_key and secrets.fingerprint(keys[0]) == new_fingerprint
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert count == 6
    after = _raw("password")
    assert all(a != b for a, b in zip(before, after, strict=True))
    for row in rows:
        fresh = vault.objects.get(pk=row.pk)
        assert (fresh.password, fresh.certificate) == (row.password, PFX)
    # The old key alone no longer opens what is stored.
    path.write_text(old_key + "\n")
    with pytest.raises(SecretUnreadable):
        vault.objects.get(pk=rows[0].pk)


def test_rotation_keeping_old_keys_still_reads_tokens_made_before(key_dir, db):
    token = secrets.encrypt(PASSWORD)
    secrets.rotate_key(drop_old=False, fields=[])
    assert len((key_dir / secrets.KEY_FILE_NAME).read_text().split()) == 2
    assert secrets.decrypt_text(token) == PASSWORD


def test_the_command_refuses_to_rotate_keys_that_live_in_the_environment(key_dir, monkeypatch, db):
    monkeypatch.setenv(secrets.ENV_KEYS, secrets.generate_key())
    with pytest.raises(Exception, match="--reencrypt-only"):
        call_command("rotate_encryption_key")


def test_the_command_rotates_the_key_file(key_dir, db, capsys):
    secrets.encrypt("x")
    old = (key_dir / secrets.KEY_FILE_NAME).read_text()
    call_command("rotate_encryption_key", "--drop-old")
    assert (key_dir / secrets.KEY_FILE_NAME).read_text() != old
    assert "segredos" in capsys.readouterr().out
