"""Demo purchasing: requests and purchase orders in every state, receipts (one partial) and a supplier
NF-e from nfelib's samples awaiting confirmation. Small, so `serve --demo` stays quick."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import nfelib
from django.utils import timezone

from retaguarda.catalog.models import Product, ProductType
from retaguarda.core.actor import Actor
from retaguarda.inventory.models import Warehouse
from retaguarda.parties.models import Party
from retaguarda.purchasing import services
from retaguarda.purchasing.models import PurchaseOrder
from retaguarda.purchasing.nfe.services import upload_nfe

D = Decimal
SAMPLE = Path(nfelib.__file__).resolve().parent / "nfe/samples/v4_0/leiauteNFe"
SAMPLE_NOTE = "35180834128745000152550010000476051695511860-nfe.xml"
SAMPLE_RECIPIENT = b"<CNPJ>57647232000153</CNPJ>"


def build(company, actor: Actor) -> int:
    """Build once; returns how many purchase orders were created."""
    if PurchaseOrder.objects.filter(company=company).exists():
        return 0
    actor = Actor(actor.user, actor.origin, company.pk, actor.ip)
    suppliers = list(Party.objects.filter(company=company, is_supplier=True, is_active=True).order_by("id")[:3])
    warehouse = Warehouse.objects.filter(company=company, is_active=True).order_by("id").first()
    products = list(
        Product.objects.filter(company=company, product_type=ProductType.GOODS, is_variant_parent=False, is_active=True)
        .exclude(cost=0)
        .order_by("id")[:8]
    )
    if len(suppliers) < 3 or warehouse is None or len(products) < 8:
        return 0

    def order(supplier, picks, **extra):
        lines = [
            services.OrderLineIn(p.pk, D(qty), p.cost * (p.purchase_factor or 1), ipi=D(ipi)) for p, qty, ipi in picks
        ]
        return services.create_order(services.OrderIn(supplier.pk, warehouse.pk, lines, **extra), actor=actor)

    def receive(order_, part=None):
        lines = services.lines_from_orders(actor, [order_.pk])
        if part is not None:
            lines = [services.ReceiptLineIn(**{**line.__dict__, "quantity": part}) for line in lines[:1]]
        receipt = services.create_receipt(
            services.ReceiptIn(order_.supplier_id, warehouse.pk, lines, charges=services.Charges(freight=D("35.00"))),
            actor=actor,
        )
        return services.post_receipt(receipt.pk, actor=actor)

    a, b, c = suppliers
    p = products
    # Requests: one awaiting approval, one approved (ready to order), one rejected.
    services.create_request(
        actor=actor, lines=[services.RequestLineIn(p[0].pk, D("24"))], reason="Estoque baixo na loja"
    )
    approved = services.create_request(
        actor=actor, lines=[services.RequestLineIn(p[1].pk, D("12"))], reason="Campanha de fim de ano"
    )
    services.approve_request(approved.pk, actor=actor, note="Pode comprar")
    rejected = services.create_request(actor=actor, lines=[services.RequestLineIn(p[2].pk, D("6"))], reason="Reposição")
    services.reject_request(rejected.pk, actor=actor, note="Há estoque no CD")

    week = timezone.localdate() + timedelta(days=7)
    order(a, [(p[3], "10", "0"), (p[4], "5", "12.50")], expected_date=week)  # draft
    sent = order(b, [(p[5], "8", "0")], charges=services.Charges(freight=D("40.00")))
    services.send_order(sent.pk, actor=actor)
    partial = order(c, [(p[6], "20", "0"), (p[7], "10", "0")])
    services.send_order(partial.pk, actor=actor)
    receive(partial, part=D("8"))
    full = order(a, [(p[0], "6", "3.20"), (p[1], "4", "0")])
    services.send_order(full.pk, actor=actor)
    receive(full)
    # The same supplier's next delivery of one product, 15 % dearer: the watch's price rule finds it.
    dearer = services.ReceiptLineIn(
        p[1].pk, D("4"), (p[1].cost * (p[1].purchase_factor or 1) * D("1.15")).quantize(D("0.01"))
    )
    raised = services.create_receipt(
        services.ReceiptIn(a.pk, warehouse.pk, [dearer], invoice_number="8812"), actor=actor
    )
    services.post_receipt(raised.pk, actor=actor)
    cancelled = order(b, [(p[2], "3", "0")])
    services.cancel_order(cancelled.pk, actor=actor, reason="Fornecedor sem estoque")

    # A supplier's NF-e addressed to the demo company, awaiting the user's confirmation.
    xml = (SAMPLE / SAMPLE_NOTE).read_bytes().replace(SAMPLE_RECIPIENT, f"<CNPJ>{company.cnpj}</CNPJ>".encode())
    upload_nfe([(SAMPLE_NOTE, xml)], actor=actor)
    return 5
