"""The shell in a real browser: sign in through the form, open the audit log, filter it."""

import re

from playwright.sync_api import expect


def test_sign_in_and_open_the_audit_log(signed_in_page, live_server):
    page = signed_in_page
    expect(page.locator("nav.sidebar")).to_contain_text("Auditoria")
    page.click("nav.sidebar >> text=Auditoria")
    expect(page).to_have_url(re.compile(r"/auditoria/"))
    expect(page.locator("h1")).to_have_text("Auditoria")
    # The sign-in created the admin user earlier: the log lists the company and the user creation, by
    # their names in Portuguese (never the model's label).
    records = page.locator("#audit-table table.audit > tbody > tr > td:nth-child(4)")
    expect(records.filter(has_text="Usuário").first).to_be_visible()
    expect(page.locator("#audit-table table.audit")).not_to_contain_text("access.user")


def test_audit_filter_updates_the_table_in_place(signed_in_page, live_server):
    page = signed_in_page
    page.goto(f"{live_server.url}/auditoria/")
    page.select_option("select[name=object]", "companies.company")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"object=companies.company"))
    records = page.locator("#audit-table table.audit > tbody > tr > td:nth-child(4)")
    expect(records.first).to_contain_text("Empresa")
    expect(records.filter(has_text="Usuário")).to_have_count(0)


def test_wrong_password_shows_the_message_in_portuguese(page, live_server, admin_user):
    page.goto(f"{live_server.url}/entrar/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "errada")
    page.click("button[type=submit]")
    expect(page.locator(".errorlist")).to_have_text("Usuário ou senha incorretos.")
