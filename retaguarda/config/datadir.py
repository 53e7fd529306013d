"""Where an install keeps its own files: the SQLite database, the generated secret key, archives."""

import os
import secrets
from pathlib import Path

from platformdirs import user_data_path


def data_dir() -> Path:
    """`RETAGUARDA_DATA_DIR`, or the per-user data folder of the platform."""
    configured = os.environ.get("RETAGUARDA_DATA_DIR")
    path = Path(configured) if configured else user_data_path("retaguarda", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """`SECRET_KEY` from the environment, else one generated once and kept in the data folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = data_dir() / "secret_key"
    if not key_file.exists():
        # Exclusive create: two processes starting together keep the first key written.
        try:
            with open(key_file, "x") as fh:
                fh.write(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        except FileExistsError:
            pass
    return key_file.read_text().strip()
