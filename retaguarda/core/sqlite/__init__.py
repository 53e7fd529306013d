"""SQLite as the embedded database: Django's backend with writers that queue in arrival order."""
