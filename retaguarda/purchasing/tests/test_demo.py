from retaguarda.purchasing.models import NfeImport, PurchaseOrder, Receipt


def test_the_demo_has_orders_in_every_state_receipts_and_a_note_to_confirm(db):
    from retaguarda.web import demo

    demo.load()
    states = set(PurchaseOrder.objects.values_list("state", flat=True))
    assert states == {"draft", "ordered", "partially_received", "received", "cancelled"}
    assert Receipt.objects.filter(state="posted", title__isnull=False).count() == 2
    assert NfeImport.objects.filter(state="pending").count() == 1
