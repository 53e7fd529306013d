"""`retaguarda export nfe --month`: the month's archive as a zip for the accountant."""

import zipfile
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from retaguarda.core import outbox
from retaguarda.fiscal import services
from retaguarda.fiscal.services import DocumentIn, ItemIn

pytestmark = pytest.mark.django_db


def test_export_nfe_month_writes_every_archived_xml(
    simples, make_customer, make_item_product, fiscal_actor, django_capture_on_commit_callbacks, tmp_path
):
    actor = fiscal_actor(simples)
    customer, product = make_customer(simples), make_item_product(simples)
    keys = []
    for _ in range(2):
        draft = services.build_document(
            DocumentIn(recipient_id=customer.pk, items=(ItemIn(product.pk, D("1"), D("3")),)), actor=actor
        )
        with django_capture_on_commit_callbacks(execute=True):
            keys.append(services.issue_document(draft.pk, actor=actor).key)
    outbox.deliver_due()
    month = f"20{keys[0][2:4]}-{keys[0][4:6]}"
    out = tmp_path / "nfe.zip"

    call_command("export", "nfe", month=month, output=str(out), company=simples.pk)

    names = sorted(zipfile.ZipFile(out).namelist())
    assert names == sorted(f"{month}/{key}-nfe.xml" for key in keys)
    with pytest.raises(CommandError):
        call_command("export", "nfe", month="11/2026", output=str(out), company=simples.pk)
