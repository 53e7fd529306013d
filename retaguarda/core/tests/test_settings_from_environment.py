import os
import subprocess
import sys

from retaguarda.config import datadir


def test_secret_key_is_generated_once_and_kept_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("RETAGUARDA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = datadir.secret_key()
    assert len(first) >= 50
    assert datadir.secret_key() == first
    assert (tmp_path / "secret_key").read_text().strip() == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert datadir.secret_key() == "from-the-environment"


def _settings_in_a_fresh_process(env: dict) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
        " 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "ALLOWED_HOSTS")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "retaguarda.config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return json.loads(out.stdout)


def test_defaults_are_sqlite_in_the_data_folder_with_debug_off(tmp_path):
    got = _settings_in_a_fresh_process({"RETAGUARDA_DATA_DIR": str(tmp_path)})
    assert got["engine"] == "retaguarda.core.sqlite"  # Django's SQLite backend with the write queue
    assert got["name"] == str(tmp_path / "retaguarda.sqlite3")
    assert got["debug"] is False
    assert got["tz"] == "America/Sao_Paulo"
    assert got["lang"] == "pt-br"


def test_database_url_and_hosts_come_from_the_environment(tmp_path):
    got = _settings_in_a_fresh_process(
        {
            "RETAGUARDA_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://u:p@db.example:5432/erp",
            "ALLOWED_HOSTS": "erp.example.com,localhost",
            "DEBUG": "1",
        }
    )
    assert got["engine"] == "django.db.backends.postgresql"
    assert got["name"] == "erp"
    assert got["hosts"] == ["erp.example.com", "localhost"]
    assert got["debug"] is True
