"""Demo fiscal data: the demo company's settings (homologação, a test certificate), operations and
starting rules, and a few draft notes built from its customers and products, ready to be issued."""

from decimal import Decimal

from retaguarda.catalog.models import Product, ProductType
from retaguarda.core.actor import Actor
from retaguarda.fiscal import services
from retaguarda.fiscal.models import FiscalSettings
from retaguarda.parties.models import Party

NOTES = 4


def build(company, actor: Actor) -> None:
    services.seed_company(company, actor=actor)
    FiscalSettings.objects.filter(company=company).update(uses_test_certificate=True)
    products = list(
        Product.objects.filter(
            company=company, product_type=ProductType.GOODS, is_variant_parent=False, price__gt=0
        ).order_by("id")[:12]
    )
    customers = list(
        Party.objects.filter(company=company, is_customer=True, addresses__isnull=False).order_by("id")[:NOTES]
    )
    if not products or not customers:
        return
    for n, customer in enumerate(customers):
        chosen = products[n : n + 3] or products[:3]
        items = tuple(services.ItemIn(p.pk, Decimal(1 + n % 3), p.price) for p in chosen)
        document = services.build_document(
            services.DocumentIn(recipient_id=customer.pk, items=items, source_type="demo", source_id=n + 1), actor=actor
        )
        if n < NOTES - 1:  # the last one stays a draft, to be issued by hand
            services.issue_document(document.pk, actor=actor)
    counter = services.build_document(
        services.DocumentIn(model=65, items=(services.ItemIn(products[0].pk, Decimal(1), products[0].price),)),
        actor=actor,
    )
    services.issue_document(counter.pk, actor=actor)
