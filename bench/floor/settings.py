"""Bare settings: the app's database configuration (same engine options, same persistent
connections), and nothing else of ours: no apps, no middleware, no auth, no templates."""

import os

from retaguarda.config.settings import DATABASES as APP_DATABASES

SECRET_KEY = os.environ.get("SECRET_KEY", "bench-floor")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.floor.urls"
DATABASES = {"default": dict(APP_DATABASES["default"])}
if DATABASES["default"]["ENGINE"] == "retaguarda.core.sqlite":
    # The app's write queue is one of our layers: the floor runs Django's own backend.
    DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"
USE_TZ = True
TIME_ZONE = "America/Sao_Paulo"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
