"""`retaguarda check --deploy` is clean with the production settings the README gives (issue 8 item 9)."""

import os
import subprocess
import sys

PRODUCTION = {
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "HSTS_SECONDS": "31536000",
    "HSTS_INCLUDE_SUBDOMAINS": "1",
    "HSTS_PRELOAD": "1",
    "SMTP_HOST": "smtp.example.com",
    "ALLOWED_HOSTS": "erp.example.com",
}


def _deploy_check(tmp_path, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", *PRODUCTION)}
    return subprocess.run(
        [sys.executable, "-m", "retaguarda.config.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, "RETAGUARDA_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )


def test_the_deploy_check_is_clean_with_production_settings(tmp_path):
    result = _deploy_check(tmp_path, PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_names_what_a_bare_install_lacks(tmp_path):
    result = _deploy_check(tmp_path, {})
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016", "mail.E001"):
        assert check in result.stderr
