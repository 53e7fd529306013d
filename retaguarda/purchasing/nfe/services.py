"""Supplier NF-e imports: upload (kept as received, awaiting confirmation), then confirm into a posted
receipt with its payable. The answers given on confirmation are remembered per supplier code."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from retaguarda.companies.models import Company
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import DomainError, NotFound, ValidationFailed
from retaguarda.core.money import ZERO
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.parties import services as parties
from retaguarda.parties.models import Party, PartyKind
from retaguarda.purchasing.errors import NfeAlreadyImported, NfeRejected
from retaguarda.purchasing.models import NfeImport, NfeImportState, Receipt, SupplierProduct
from retaguarda.purchasing.nfe.files import xml_documents
from retaguarda.purchasing.nfe.matching import Answer, Preview, preview
from retaguarda.purchasing.nfe.reader import Nfe, read_nfe
from retaguarda.purchasing.services.orders import Charges
from retaguarda.purchasing.services.receipts import (
    InstallmentIn,
    LotIn,
    ReceiptIn,
    ReceiptLineIn,
    create_receipt,
    post_receipt,
)


def upload_nfe(files: Sequence[tuple[str, bytes]], *, actor: Actor) -> list[NfeImport]:
    """Keep each uploaded NF-e awaiting confirmation. Every file is checked first; one bad file refuses
    the whole upload with every file's problem listed, and nothing is saved."""
    return [row for row, _nfe in _upload(files, actor=actor)]


def upload_and_preview(files: Sequence[tuple[str, bytes]], *, actor: Actor) -> list[Preview]:
    """`upload_nfe`, then each note's preview from the XML the upload already read (parsed and checked
    against the schema once, not again from the stored bytes)."""
    return [preview(row, nfe=nfe) for row, nfe in _upload(files, actor=actor)]


def _upload(files: Sequence[tuple[str, bytes]], *, actor: Actor) -> list[tuple[NfeImport, Nfe | None]]:
    """The imports kept, each with its note as read here, or None when an earlier upload of the same
    key with other bytes is the one kept (its preview reads the stored XML)."""
    company_id = company_id_of(actor)
    our_cnpj = Company.objects.filter(pk=company_id).values_list("cnpj", flat=True).first()
    documents = xml_documents(list(files))
    read, details = [], []
    for name, data in documents:
        try:
            nfe = read_nfe(data)
        except ValidationFailed as exc:  # XmlRejected and NfeRejected
            details.append({"field": name, "message": exc.message})
            details += [{"field": name, "message": d["message"]} for d in exc.details if "message" in d]
            continue
        if nfe.recipient_document != our_cnpj:
            details.append(
                {
                    "field": name,
                    "message": _("This NF-e is addressed to %(cnpj)s, not to this company.")
                    % {"cnpj": nfe.recipient_document},
                }
            )
            continue
        read.append((name, data, nfe))
    keys = [nfe.key for _n, _d, nfe in read]
    if len(set(keys)) != len(keys):
        details.append({"field": "files", "message": _("The same NF-e was sent twice.")})
    existing = {i.access_key: i for i in scoped(NfeImport, actor).filter(access_key__in=keys).select_related("receipt")}
    entered = []
    for name, _d, nfe in read:
        found = existing.get(nfe.key)
        if found is not None and found.state == NfeImportState.CONFIRMED:
            message = _("This NF-e was already entered (receipt %(n)s).") % {"n": found.receipt.number}
            entered.append({"field": name, "message": message})
    if entered and not details:
        raise NfeAlreadyImported(entered[0]["message"] if len(entered) == 1 else None, details=entered)
    details += entered
    if details:
        raise NfeRejected(details[0]["message"] if len(details) == 1 else None, details=details)
    imports = []
    with transaction.atomic():
        for name, data, nfe in read:
            if nfe.key in existing:
                row = existing[nfe.key]
                imports.append((row, nfe if bytes(row.xml) == data else None))
                continue
            try:
                with transaction.atomic():
                    row = NfeImport.objects.create(
                        company_id=company_id,
                        access_key=nfe.key,
                        file_name=name[:200],
                        xml=data,
                        supplier_document=nfe.emitter.document,
                        supplier_name=nfe.emitter.name[:120],
                        invoice_number=nfe.number,
                        issue_date=nfe.issue_date,
                        total=nfe.total,
                        created_by_id=actor.user_id,
                    )
            except IntegrityError:  # the same key uploaded at the same moment
                row = scoped(NfeImport, actor).get(access_key=nfe.key)
                imports.append((row, nfe if bytes(row.xml) == data else None))
                continue
            audit.record(actor, row, "imported")
            imports.append((row, nfe))
    return imports


@dataclass(frozen=True)
class ConfirmIn:
    warehouse_id: int
    answers: dict[int, Answer]  # by item number (nItem)
    create_supplier: bool = False
    payment_terms: str | None = None  # when the note has no installments


def import_preview(import_id: int, *, actor: Actor, answers: dict[int, Answer] | None = None) -> Preview:
    nfe_import = scoped(NfeImport, actor).filter(pk=import_id).first()
    if nfe_import is None:
        raise NotFound()
    return preview(nfe_import, answers)


def confirm_nfe(import_id: int, data: ConfirmIn, *, actor: Actor) -> Receipt:
    """The note becomes a posted receipt (stock at landed cost, the payable from its `dup`), the
    answers are remembered for the supplier's codes, the import is closed. All or nothing."""
    with transaction.atomic():
        nfe_import = scoped(NfeImport, actor).select_for_update().filter(pk=import_id).first()
        if nfe_import is None:
            raise NotFound()
        if nfe_import.state == NfeImportState.CONFIRMED:
            raise NfeAlreadyImported()
        result = preview(nfe_import, data.answers)
        supplier = result.supplier
        if supplier is None and data.create_supplier:
            supplier = _create_supplier(result, actor=actor)
            result = preview(nfe_import, data.answers)
        details = [{"field": "note", "message": p} for p in result.problems]
        for line in result.lines:
            where = f"items.{line.item.number}"
            if line.product is None:
                details.append(
                    {
                        "field": where,
                        "message": _("Item %(n)s (%(code)s %(name)s): choose the product.")
                        % {"n": line.item.number, "code": line.item.code, "name": line.item.name},
                    }
                )
            details += [{"field": where, "message": p} for p in line.problems]
        if details:
            raise ValidationFailed(details=details)
        _remember(result, actor=actor)
        nfe = result.nfe
        lines = [
            ReceiptLineIn(
                product_id=line.product.pk,
                quantity=line.item.quantity,
                unit_cost=line.item.unit_price,
                unit=line.item.unit[:6],
                factor=line.factor,
                discount=line.item.discount + line.deson,
                ipi=line.item.ipi,
                icms_st=line.item.icms_st,
                order_line_id=line.order_line.pk if line.order_line is not None else None,
                icms_credit=line.item.icms,
                pis_credit=line.item.pis,
                cofins_credit=line.item.cofins,
                shares=(line.item.freight, line.item.insurance, line.item.other),
                supplier_code=line.item.code[:60],
                cfop=line.entry_cfop,
                goods=line.item.goods,
                lots=tuple(LotIn(lot.code, lot.quantity, lot.expiry, lot.manufactured) for lot in line.item.lots),
            )
            for line in result.lines
            if line.item.in_total
        ]
        receipt = create_receipt(
            ReceiptIn(
                supplier_id=supplier.pk,
                warehouse_id=data.warehouse_id,
                lines=lines,
                charges=Charges(nfe.totals["vFrete"], nfe.totals["vSeg"], nfe.totals["vOutro"]),
                issue_date=nfe.issue_date,
                invoice_number=nfe.number[:20],
                nfe_key=nfe.key,
                payment_terms=data.payment_terms,
                installments=[InstallmentIn(d.due_date, d.amount, d.number) for d in nfe.duplicates if d.amount > ZERO],
            ),
            actor=actor,
        )
        receipt = post_receipt(receipt.pk, actor=actor)
        nfe_import.state = NfeImportState.CONFIRMED
        nfe_import.receipt = receipt
        nfe_import.save(update_fields=["state", "receipt", "updated_at"])
        audit.record(actor, nfe_import, "confirmed", {"receipt": [None, receipt.number]})
    return receipt


def _create_supplier(result: Preview, *, actor: Actor) -> Party:
    emitter = result.nfe.emitter
    fields = {
        "kind": PartyKind.COMPANY if len(emitter.document) == 14 else PartyKind.INDIVIDUAL,
        "document": emitter.document,
        "legal_name": emitter.name[:120],
        "trade_name": emitter.trade_name[:120],
        "is_supplier": True,
        "state_registration": emitter.state_registration,
    }
    addresses = [emitter.address] if emitter.address.get("municipality_id") else []
    try:
        return parties.create_party(actor=actor, addresses=addresses, **fields)
    except DomainError as exc:
        raise ValidationFailed(
            _("The supplier could not be registered from the note: %(why)s") % {"why": exc.message}, details=exc.details
        ) from exc


def _remember(result: Preview, *, actor: Actor) -> None:
    """Upsert the supplier's code → product and unit conversion (one query for the lot)."""
    rows = {
        line.item.code: SupplierProduct(
            company_id=result.nfe_import.company_id,
            supplier_id=result.supplier.pk,
            supplier_code=line.item.code[:60],
            product_id=line.product.pk,
            unit=line.item.unit[:6],
            factor=line.factor,
        )
        for line in result.lines
        if line.product is not None and line.item.code
    }
    SupplierProduct.objects.bulk_create(
        list(rows.values()),
        update_conflicts=True,
        unique_fields=["supplier", "supplier_code"],
        update_fields=["product", "unit", "factor"],
    )
