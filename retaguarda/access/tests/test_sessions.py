"""The session store reads a session by hand (access.sessions): what Django's database store reads."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from retaguarda.access.sessions import SessionStore


@pytest.mark.django_db
def test_a_session_reads_back_until_it_expires():
    store = SessionStore()
    store["company"] = 7
    store.create()

    assert SessionStore(store.session_key).load() == {"company": 7}

    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new one is made on save, as Django's store does
    assert SessionStore("no-such-session-key-000000000000").load() == {}
