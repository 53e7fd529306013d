"""Browser tests drive Debian's Chromium through Playwright against a live server.

Playwright cannot download its own browsers here; we launch /usr/bin/chromium. Without it the tests
are skipped with a message, unless RETAGUARDA_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    message = (
        f"Chromium not found at {CHROMIUM}: browser tests skipped. "
        "Install it with `sudo apt-get install chromium` (or set CHROMIUM_PATH) to run them."
    )
    if os.environ.get("RETAGUARDA_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(message)
    config.issue_config_time_warning(pytest.PytestWarning(message), stacklevel=2)
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def signed_in_page(page, live_server, admin_user):
    """A Playwright page signed in as the admin user through the real login form."""
    page.goto(f"{live_server.url}/entrar/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "senha-forte-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page
