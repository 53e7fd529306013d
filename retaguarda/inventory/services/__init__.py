"""Every write of the inventory app, one module per kind of work; this package re-exports the public API.

- `posting`: `post_moves`, the one writer of the ledger, with `balances` (locking, allocation, writing
  balance rows back), `costs` (weighted average) and `products` (kits, stocked products) beneath it.
- `reservations`, `manual`, `transfers`, `counts`: the documents that post or hold stock.
- `periods`: closing months into stock snapshots (balance at a date = snapshot + moves since).
- `warehouses` and `lots`: the places and lots stock lives in; `scope` and `documents`: what the
  documents share (the actor's company, their states).

Locking: balance rows are locked in one global order (product, location, lot) by every path that
changes them (moves, reservations, counts), then average-cost rows by product, so two postings cannot
deadlock.
"""

from retaguarda.inventory.services.costs import incoming_average
from retaguarda.inventory.services.counts import (
    CountEntry,
    cancel_count,
    create_count,
    parse_count_csv,
    post_count,
    record_counts,
    scan,
    start_count,
)
from retaguarda.inventory.services.lots import lot_for, lots_for
from retaguarda.inventory.services.manual import (
    ENTRY_COUNTERPARTS,
    EXIT_COUNTERPARTS,
    ManualLine,
    manual_move,
    manual_move_problems,
)
from retaguarda.inventory.services.periods import close_period, close_periods, periods_to_close
from retaguarda.inventory.services.posting import MoveIn, Source, post_moves
from retaguarda.inventory.services.reservations import (
    STOCK_LOCATION_FIELDS,
    BalanceLock,
    Need,
    balance_lock,
    consume,
    release,
    reserve,
)
from retaguarda.inventory.services.transfers import (
    TransferLineIn,
    cancel_transfer,
    create_transfer,
    receive_transfer,
    ship_transfer,
    transfer_problems,
)
from retaguarda.inventory.services.warehouses import (
    create_warehouse,
    stock_location,
    transit_location,
    update_warehouse,
    virtual_location,
)

__all__ = [
    "ENTRY_COUNTERPARTS",
    "EXIT_COUNTERPARTS",
    "STOCK_LOCATION_FIELDS",
    "BalanceLock",
    "CountEntry",
    "ManualLine",
    "MoveIn",
    "Need",
    "Source",
    "TransferLineIn",
    "balance_lock",
    "cancel_count",
    "cancel_transfer",
    "close_period",
    "close_periods",
    "consume",
    "create_count",
    "create_transfer",
    "create_warehouse",
    "incoming_average",
    "lot_for",
    "lots_for",
    "manual_move",
    "manual_move_problems",
    "parse_count_csv",
    "periods_to_close",
    "post_count",
    "post_moves",
    "receive_transfer",
    "record_counts",
    "release",
    "reserve",
    "scan",
    "ship_transfer",
    "start_count",
    "stock_location",
    "transfer_problems",
    "transit_location",
    "update_warehouse",
    "virtual_location",
]
