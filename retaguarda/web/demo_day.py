"""The demo's business day: what the apps' own demos leave waiting for SEFAZ goes through a local fake
SEFAZ while the demo loads, so the pages show the whole story (issue 18): notes authorized, one
cancelled and one corrected; orders invoiced, shipped and delivered; a customer's return with its
return note, the goods back in stock and the credit. The orders still confirmed past their promised
date stay as they are: the watch's run (the next builder) opens them for Logística.

Everything goes through the services, in the same order every time (deterministic for the same day)."""

from decimal import Decimal

from django.db.models import Q

from retaguarda.core import outbox
from retaguarda.core.actor import Actor
from retaguarda.core.errors import DomainError
from retaguarda.fiscal import certificates
from retaguarda.fiscal import services as fiscal
from retaguarda.fiscal.models import FiscalDocument, FiscalSettings
from retaguarda.fiscal.sefaz.fake import FakeSefaz
from retaguarda.fiscal.states import DocumentState
from retaguarda.sales import services as sales
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.states import OrderState

INVOICE = 5  # confirmed orders invoiced today, beside those the sales demo invoiced
CARRIERS = ("Correios", "Jadlog", "Loggi")


def build(company, actor: Actor) -> int:
    """Run the day once (nothing to do when the fiscal demo did not set the company up); returns how
    many notes SEFAZ authorized."""
    actor = Actor(actor.user, actor.origin, company.pk, actor.ip)
    settings = FiscalSettings.objects.filter(company=company, uses_test_certificate=True).first()
    if settings is None or SalesOrder.objects.filter(company=company, state=OrderState.SHIPPED).exists():
        return 0
    with FakeSefaz(certificates.fake_sefaz_folder()) as fake:
        FiscalSettings.objects.filter(pk=settings.pk).update(sefaz_url=fake.url)
        try:
            return _day(company, actor)
        finally:
            FiscalSettings.objects.filter(pk=settings.pk).update(sefaz_url=settings.sefaz_url)


def _deliver() -> None:
    """What the worker does after each commit: transmit the queued notes and apply their answers."""
    for _ in range(6):
        if not outbox.deliver_due():
            return


def _day(company, actor: Actor) -> int:
    confirmed = SalesOrder.objects.filter(company=company, state=OrderState.CONFIRMED).exclude(channel__kind="shop")
    for order in confirmed.order_by("-order_date", "id")[:INVOICE]:
        try:
            sales.invoice_order(order.pk, actor=actor)
        except DomainError:
            continue  # a customer without what a note needs stays confirmed
    _deliver()

    invoiced = list(SalesOrder.objects.filter(company=company, state=OrderState.INVOICED).order_by("id"))
    shipped = []
    for n, order in enumerate(invoiced[:-1]):  # the last one waits for Logística today
        carrier = CARRIERS[n % len(CARRIERS)]
        sales.ship_order(order.pk, actor=actor, carrier=carrier, tracking_code=f"BR{order.pk:09d}BR")
        shipped.append(order)
    for order in shipped[:2]:
        sales.deliver_order(order.pk, actor=actor)
    if shipped:
        first = shipped[0]
        line = first.lines.order_by("number").first()
        sales.create_return(
            first.pk,
            [sales.ReturnLineIn(line.number, min(line.quantity, Decimal(1)))],
            actor=actor,
            reason="Produto chegou com a embalagem danificada",
        )
        _deliver()

    # The fiscal demo's own notes: one cancelled (typed twice), one corrected by a CC-e.
    loose = FiscalDocument.objects.filter(
        company=company, source_type="demo", model=55, state=DocumentState.AUTHORIZED
    ).order_by("id")
    notes = list(loose[:2])
    if len(notes) == 2:
        fiscal.cancel_document(notes[0].pk, actor=actor, reason="Nota emitida em duplicidade para o cliente")
        fiscal.correct_document(
            notes[1].pk, actor=actor, text="Complemento do endereço de entrega: fundos, portão azul."
        )
    return FiscalDocument.objects.filter(Q(company=company) & ~Q(authorized_at=None)).count()
