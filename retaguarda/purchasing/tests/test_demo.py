from collections import Counter

from retaguarda.purchasing.models import NfeImport, PurchaseOrder, Receipt
from retaguarda.watch.models import Occurrence


def test_the_demo_has_orders_in_every_state_receipts_and_a_note_to_confirm(db):
    from retaguarda.web import demo

    demo.load()
    states = set(PurchaseOrder.objects.values_list("state", flat=True))
    assert states == {"draft", "ordered", "partially_received", "received", "cancelled"}
    assert Receipt.objects.filter(state="posted", title__isnull=False).count() == 3
    assert NfeImport.objects.filter(state="pending").count() == 1
    # The watch's run at the end of the demo finds purchasing's problems in that data (nothing inserted).
    found = Counter(Occurrence.objects.filter(rule__startswith="purchasing.").values_list("rule", flat=True))
    assert found["purchasing.price_above_last"] == 1 and found["purchasing.suggestion_not_acted"] >= 1
