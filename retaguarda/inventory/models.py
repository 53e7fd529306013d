"""Inventory: warehouses and locations, lots, the stock ledger and its projections.

Every change of stock is a `StockMove` from one location to another. Locations of kind `internal`
(inside a warehouse) and `transit` (goods on their way to a warehouse) hold stock and have
`StockBalance` rows; the other kinds (supplier, customer, adjustment, scrap) are the outside world
and have none. `services.post_moves` is the only writer of moves and balances.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.core.actor import Origin
from retaguarda.core.models import CompanyScoped, Versioned
from retaguarda.core.money import CostField, ExactDecimalField, QuantityField
from retaguarda.inventory.states import (
    COUNT_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    CountState,
    ReservationState,
    TransferState,
)


class LocationKind(models.TextChoices):
    INTERNAL = "internal", _("Warehouse stock")
    TRANSIT = "transit", _("In transit")
    SUPPLIER = "supplier", _("Suppliers")
    CUSTOMER = "customer", _("Customers")
    ADJUSTMENT = "adjustment", _("Inventory adjustment")
    SCRAP = "scrap", _("Scrap")


# Kinds whose stock belongs to the company (they have balances and count in the average cost basis).
OWNED_KINDS = (LocationKind.INTERNAL, LocationKind.TRANSIT)
VIRTUAL_KINDS = (LocationKind.SUPPLIER, LocationKind.CUSTOMER, LocationKind.ADJUSTMENT, LocationKind.SCRAP)


class Warehouse(CompanyScoped, Versioned):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=80)
    allow_negative = models.BooleanField(
        _("allow negative stock"), default=False, help_text=_("Lets exits go below zero (e.g. a shop selling first).")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="inventory_warehouse_code_unique")]

    def __str__(self):
        return f"{self.code} - {self.name}"


class Location(models.Model):
    """A place stock can be in. Each warehouse has its stock location and its inbound transit location;
    each company has one location of every virtual kind."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, verbose_name=_("company"))
    warehouse = models.ForeignKey(
        Warehouse,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="locations",
        verbose_name=_("warehouse"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=LocationKind.choices)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind"],
                condition=Q(warehouse__isnull=True),
                name="inventory_location_virtual_unique",
            ),
            models.UniqueConstraint(
                fields=["warehouse", "kind"],
                condition=Q(warehouse__isnull=False),
                name="inventory_location_warehouse_kind_unique",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in OWNED_KINDS], warehouse__isnull=False)
                | Q(kind__in=[k.value for k in VIRTUAL_KINDS], warehouse__isnull=True),
                name="inventory_location_kind_matches_warehouse",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_owned(self) -> bool:
        return self.kind in OWNED_KINDS


class Lot(CompanyScoped):
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="lots", verbose_name=_("product")
    )
    code = models.CharField(_("lot"), max_length=40)
    expiry = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["expiry", "code", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="inventory_lot_code_unique")]

    def __str__(self):
        return f"{self.code} ({self.expiry:%d/%m/%Y})" if self.expiry else self.code


class SourceFields(models.Model):
    """What caused a ledger row or a reservation: a document line of any app (`sales.order`, 12, 3)."""

    source_type = models.CharField(_("source type"), max_length=60)
    source_id = models.BigIntegerField(_("source id"))
    source_line = models.BigIntegerField(_("source line"), default=0)

    class Meta:
        abstract = True


class StockMove(SourceFields):
    """The stock ledger: append-only (the database refuses UPDATE and DELETE); corrections are new moves.

    The company and the two locations get no index of their own: the composite indexes below lead with
    them, and every index is one more write per move (a 1,000-line receipt inserts 1,000 moves)."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+", db_index=False)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    from_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"), db_index=False
    )
    to_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"), db_index=False
    )
    quantity = QuantityField(_("quantity"))
    unit_cost = CostField(_("unit cost"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(max_length=10, choices=Origin.CHOICES, default=Origin.CLI)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_move_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="inventory_move_cost_non_negative"),
            models.CheckConstraint(
                condition=~Q(from_location=F("to_location")), name="inventory_move_locations_differ"
            ),
            # One move per source line, product and lot: posting the same line twice is refused.
            models.UniqueConstraint(
                fields=["source_type", "source_id", "source_line", "product", "lot"],
                condition=Q(lot__isnull=False),
                name="inventory_move_source_lot_unique",
            ),
            models.UniqueConstraint(
                fields=["source_type", "source_id", "source_line", "product"],
                condition=Q(lot__isnull=True),
                name="inventory_move_source_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "product", "id"], name="inventory_move_product_idx"),
            models.Index(fields=["company", "id"], name="inventory_move_company_idx"),
            models.Index(fields=["company", "created_at"], name="inventory_move_date_idx"),
            # Moves of a product since a period closed (balance at a date, snapshots).
            models.Index(fields=["company", "product", "created_at"], name="inventory_move_prod_date_idx"),
            models.Index(fields=["from_location", "product"], name="inventory_move_from_idx"),
            models.Index(fields=["to_location", "product"], name="inventory_move_to_idx"),
            # A document's moves, with or without lots (each unique constraint above covers one kind only):
            # what watch re-checks after an order or a receipt moves.
            models.Index(fields=["source_type", "source_id"], name="inventory_move_source_idx"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}: {self.from_location_id} → {self.to_location_id}"

    @property
    def value(self):
        return self.quantity * self.unit_cost


class StockBalance(models.Model):
    """Projection of the ledger per (location, product, lot), updated in the moves' transaction.

    `lot_key` is the lot id or 0: a NOT NULL column, so the unique key and the lock order behave the
    same on SQLite and PostgreSQL. `allow_negative` is copied from the warehouse so the CHECK can read it.

    The company, warehouse and location get no index of their own: the unique key and the indexes below
    lead with them (three index writes fewer per new row, and per update that is not HOT).
    """

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+", db_index=False)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="balances", db_index=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="balances", db_index=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="stock_balances")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="balances")
    lot_key = models.BigIntegerField(default=0)
    on_hand = QuantityField(_("on hand"), default=0)
    reserved = QuantityField(_("reserved"), default=0)
    allow_negative = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "product", "lot_key"], name="inventory_balance_unique"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_balance_reserved_non_negative"),
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(on_hand__gte=F("reserved")),
                name="inventory_balance_available_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(lot__isnull=True, lot_key=0) | Q(lot__isnull=False, lot_key=F("lot_id")),
                name="inventory_balance_lot_key",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "product", "warehouse"], name="inventory_balance_product_idx"),
            models.Index(fields=["warehouse", "product"], name="inventory_balance_wh_idx"),
        ]

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.product_id, self.location_id, self.lot_key)

    @property
    def available(self):
        return self.on_hand - self.reserved


class StockPeriod(models.Model):
    """A closed month of a company's stock ledger: its `StockSnapshot` rows hold the balances at its end.

    The period holds the moves dated before `period_end`'s next midnight (settings.TIME_ZONE).
    `last_move_id` is the highest move id among them when the period was closed; `ids_in_order`
    says no later-dated move has a lower id, so "moves with id <= last_move_id" are exactly the
    period's moves and the kardex (ordered by id) can start from the snapshot."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    period_end = models.DateField(_("period end"))
    last_move_id = models.BigIntegerField(default=0)
    ids_in_order = models.BooleanField(default=True)
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("closed stock period")
        verbose_name_plural = _("closed stock periods")
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["company", "period_end"], name="inventory_period_unique"),
        ]

    def __str__(self):
        return str(_("Stock period ending %(date)s") % {"date": f"{self.period_end:%d/%m/%Y}"})


class StockSnapshot(models.Model):
    """Balance of a (location, product, lot_key) at the end of a closed period: append-only.

    `value` is the sum of the moves' signed quantity x unit cost (exact, 10 places), what the kardex
    needs for its running value. Only non-zero rows are kept."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    period_end = models.DateField(_("period end"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    lot_key = models.BigIntegerField(default=0)
    on_hand = QuantityField(_("on hand"))
    value = ExactDecimalField(_("value"), max_digits=30, decimal_places=10)

    class Meta:
        verbose_name = _("stock snapshot")
        verbose_name_plural = _("stock snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["period_end", "location", "product", "lot_key"], name="inventory_snapshot_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "period_end", "product"], name="inventory_snapshot_period_idx"),
            models.Index(fields=["product", "period_end"], name="inventory_snapshot_product_idx"),
        ]


class Reservation(SourceFields):
    """Stock held for a document line (a sales order line, say). Mirrored in `StockBalance.reserved`."""

    # No index of its own: the (company, state, product) index leads with it (one index write fewer each).
    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+", db_index=False)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    quantity = QuantityField(_("quantity"))
    state = models.CharField(
        _("state"), max_length=10, choices=ReservationState.choices, default=ReservationState.ACTIVE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_reservation_quantity_positive"),
            models.UniqueConstraint(
                fields=["source_type", "source_id", "source_line", "product", "location", "lot"],
                condition=Q(state="active", lot__isnull=False),
                name="inventory_reservation_active_lot_unique",
            ),
            models.UniqueConstraint(
                fields=["source_type", "source_id", "source_line", "product", "location"],
                condition=Q(state="active", lot__isnull=True),
                name="inventory_reservation_active_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["source_type", "source_id", "source_line"], name="inventory_resv_src_idx"),
            models.Index(fields=["company", "state", "product"], name="inventory_resv_state_idx"),
        ]

    @property
    def lot_key(self) -> int:
        return self.lot_id or 0


class ProductCost(models.Model):
    """Weighted average cost (custo médio ponderado) of a product in its company.

    `quantity` is the basis the average was computed over: the company's stock in its warehouses
    and in transit. Incoming moves from outside recompute it; outgoing moves take it as their cost.
    """

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    product = models.OneToOneField("catalog.Product", on_delete=models.PROTECT, related_name="stock_cost")
    average_cost = CostField(_("average cost"), default=0)
    quantity = QuantityField(_("quantity"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(average_cost__gte=0), name="inventory_cost_non_negative")]


# A manual operation has no states: posted is its timeline's one event.
POSTED = "posted"


class ManualOperation(CompanyScoped):
    """A manual entry or exit (with its reason): the source document of its moves."""

    class Direction(models.TextChoices):
        ENTRY = "in", _("Entry")
        EXIT = "out", _("Exit")

    number = models.PositiveBigIntegerField(_("number"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    counterpart = models.CharField(_("counterpart"), max_length=12, choices=LocationKind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    SOURCE_TYPE = "inventory.manual"

    class Meta:
        verbose_name = _("manual stock operation")
        verbose_name_plural = _("manual stock operations")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="inventory_manual_number_unique")]

    def __str__(self):
        return f"{self.get_direction_display()} {self.number}"


class TransferOrder(CompanyScoped, Versioned):
    """Goods sent from one warehouse to another: out into transit when shipped, in on arrival."""

    TRANSITIONS = TRANSFER_TRANSITIONS
    SOURCE_OUT = "inventory.transfer_out"
    SOURCE_IN = "inventory.transfer_in"

    number = models.PositiveBigIntegerField(_("number"))
    from_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("from warehouse")
    )
    to_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("to warehouse")
    )
    state = models.CharField(_("state"), max_length=10, choices=TransferState.choices, default=TransferState.DRAFT)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="inventory_transfer_number_unique"),
            models.CheckConstraint(
                condition=~Q(from_warehouse=F("to_warehouse")), name="inventory_transfer_warehouses_differ"
            ),
        ]

    def __str__(self):
        return str(_("Transfer %(number)s") % {"number": self.number})


class TransferLine(models.Model):
    transfer = models.ForeignKey(TransferOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    quantity = QuantityField(_("quantity"))

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_transferline_positive")]


class StockCount(CompanyScoped, Versioned):
    """A physical count (balanço) of a warehouse, or of some of its products; posting adjusts stock."""

    TRANSITIONS = COUNT_TRANSITIONS
    SOURCE_TYPE = "inventory.count"

    number = models.PositiveBigIntegerField(_("number"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    state = models.CharField(_("state"), max_length=10, choices=CountState.choices, default=CountState.DRAFT)
    whole_warehouse = models.BooleanField(_("whole warehouse"), default=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="inventory_count_number_unique")]

    def __str__(self):
        return str(_("Stock count %(number)s") % {"number": self.number})


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot")
    )
    lot_key = models.BigIntegerField(default=0)
    expected = QuantityField(_("expected"), default=0)  # on hand when counting started
    counted = QuantityField(_("counted"), null=True, blank=True)
    difference = QuantityField(_("difference"), null=True, blank=True)  # set when posted

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["count", "product", "lot_key"], name="inventory_countline_unique"),
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0), name="inventory_countline_non_negative"
            ),
        ]
