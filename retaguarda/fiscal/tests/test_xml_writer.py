"""The fast writer of nfelib's bindings gives the same XML as xsdata's own serializer, byte for byte,
for every kind of note we build (Simples, regime normal with ST, DIFAL and IPI, NFC-e, installments,
a return), and refuses a binding shape it does not handle instead of writing it wrong."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest
from django.utils import timezone
from lxml import etree
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig

from retaguarda.core.state_registration import sample_ie
from retaguarda.fiscal import keys, services
from retaguarda.fiscal.models import TaxRule
from retaguarda.fiscal.services import DocumentIn, InstallmentIn, ItemIn
from retaguarda.fiscal.xml import builder, writer

pytestmark = pytest.mark.django_db
REFERENCE = XmlSerializer(config=SerializerConfig(indent="", xml_declaration=False))


def _both(actor, data: DocumentIn) -> tuple[bytes, bytes]:
    document, lines = services.preview(data, actor=actor)
    document.number, document.random_code, document.issued_at = 7, "12345678", timezone.now()
    document.key = str(
        keys.AccessKey(
            document.emitter_data["uf"], timezone.localdate(), document.emitter_data["cnpj"], data.model, 1, 7, 1,
            "12345678",
        )
    )  # fmt: skip
    ours = etree.tostring(builder.build(document, lines))
    theirs = REFERENCE.render(builder.binding(document, lines), ns_map={None: builder.NFE_NS}).encode()
    return ours, etree.tostring(etree.fromstring(theirs))


def test_simples_nfce_installments_and_return_match_xsdata(simples, make_customer, make_item_product, fiscal_actor):
    actor = fiscal_actor(simples)
    customer = make_customer(simples)
    product = make_item_product(simples)
    beer = make_item_product(simples, ncm="22030000")
    items = (
        ItemIn(product.pk, D("3"), D("10.3333"), discount=D("0.50"), freight=D("2.10")),
        ItemIn(beer.pk, D("1"), D("7")),
    )
    ref = "35180834128745000152550010000476051695511860"
    for data in (
        DocumentIn(recipient_id=customer.pk, items=items, additional_info="Pedido 12"),
        DocumentIn(model=65, items=items),
        DocumentIn(
            recipient_id=customer.pk,
            items=items,
            installments=(
                InstallmentIn(datetime.date(2027, 1, 10), D("20")),
                InstallmentIn(datetime.date(2027, 2, 10), D("19.90")),
            ),
        ),
        DocumentIn(recipient_id=customer.pk, items=items, referenced_keys=(ref,)),
    ):
        ours, theirs = _both(actor, data)
        assert ours == theirs


def test_regime_normal_with_st_difal_and_ipi_matches_xsdata(normal, make_customer, make_item_product, fiscal_actor):
    actor = fiscal_actor(normal)
    TaxRule.objects.filter(company=normal, tax="ipi").update(is_active=True)
    taxpayer = make_customer(normal, uf_city="4106902", cep="80010000", ie_indicator=1, ie=sample_ie("PR", random.Random(1)), kind="company",
                             document="11222333000181")  # fmt: skip
    consumer = make_customer(normal, uf_city="3106200", cep="30130010")
    parts = make_item_product(normal, ncm="87089990")
    oven = make_item_product(normal, ncm="85166000")
    rice = make_item_product(normal, ncm="10063021")
    for recipient, products in ((taxpayer, (parts, oven)), (consumer, (oven, rice))):
        data = DocumentIn(recipient_id=recipient.pk, items=tuple(ItemIn(p.pk, D("2"), D("99.99")) for p in products))
        ours, theirs = _both(actor, data)
        assert ours == theirs
    assert (
        b"<ICMS10>" in _both(actor, DocumentIn(recipient_id=taxpayer.pk, items=(ItemIn(parts.pk, D("1"), D("5")),)))[0]
    )


def test_a_binding_shape_it_does_not_handle_is_refused():
    @dataclass
    class Mixed:
        content: list[object] = field(default_factory=list, metadata={"type": "Wildcard", "mixed": True})

    with pytest.raises(NotImplementedError):
        writer.write(Mixed(content=["x"]), "{urn:x}Mixed")
