"""Fiscal documents: built (draft) from plain input, then issued (queued): numbered from the gapless
series, keyed, put into XML, validated against the official schema, signed and archived."""

from dataclasses import asdict, is_dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from retaguarda.br_tables.models import Cfop
from retaguarda.catalog.models import Product
from retaguarda.companies.models import Company
from retaguarda.core import audit, outbox
from retaguarda.core.actor import Actor
from retaguarda.core.bulk_insert import update_columns
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.models import DocumentEvent
from retaguarda.core.money import ZERO, amount, quantize
from retaguarda.core.numbering import gapless_number
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.states import transition
from retaguarda.fiscal import certificates, keys
from retaguarda.fiscal.errors import InvalidXml, TooManyItems
from retaguarda.fiscal.models import (
    MAX_ITEMS,
    DocumentModel,
    FiscalDocument,
    FiscalDocumentLine,
    FiscalSettings,
    Operation,
)
from retaguarda.fiscal.sefaz import contingency
from retaguarda.fiscal.services import rules
from retaguarda.fiscal.services.inputs import DocumentIn
from retaguarda.fiscal.states import DocumentState
from retaguarda.fiscal.taxes import LineIn, TaxContext, TaxResult, TaxValue, calculate
from retaguarda.fiscal.xml import formats, schemas, signing, totals
from retaguarda.parties.models import Party

NFE_SCHEMA = "nfe_v4.00.xsd"
QUEUED_EVENT = "fiscal.document.queued"  # payload {"document_id"}: archive it, transmit it (issue 16)


def settings_of(company: Company) -> FiscalSettings:
    settings = (
        FiscalSettings.objects.filter(company=company)
        .select_related("default_sale_operation", "default_return_operation")
        .first()
    )
    if settings is None:
        raise ValidationFailed(_("This company has no fiscal settings yet: open the fiscal settings page first."))
    return settings


def emitter_data(company: Company) -> dict:
    m = company.municipality
    return {
        "cnpj": company.cnpj,
        "legal_name": company.legal_name,
        "trade_name": company.trade_name,
        "state_registration": company.state_registration,
        "municipal_registration": company.municipal_registration,
        "cnae": company.cnae,
        "crt": company.tax_regime,
        "street": company.street,
        "number": company.number,
        "complement": company.complement,
        "district": company.district,
        "municipality_code": m.code,
        "municipality_name": m.name,
        "uf": m.uf,
        "postal_code": company.postal_code,
        "phone": company.phone,
    }


def recipient_data(party: Party) -> dict:
    address = party.addresses.select_related("municipality").first()
    data = {
        "name": party.legal_name,
        "document": party.document,
        "ie_indicator": party.ie_indicator,
        "state_registration": party.state_registration,
        "email": party.email,
    }
    if address is not None:
        data.update(
            {
                "street": address.street,
                "number": address.number,
                "complement": address.complement,
                "district": address.district,
                "municipality_code": address.municipality_id,
                "municipality_name": address.municipality.name,
                "uf": address.uf,
                "postal_code": address.postal_code,
                "country_code": address.country_code,
                "phone": party.phone,
            }
        )
    return data


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def tax_json(value: TaxValue) -> dict:
    return _plain(
        {
            "cst": value.cst,
            "base": value.base,
            "rate": value.rate,
            "value": value.value,
            "extra": dict(value.extra),
            "rule_id": value.rule_id,
            "rule_name": value.rule_name,
            "why": list(value.why),
        }
    )


def _context(document: FiscalDocument, issue_day) -> TaxContext:
    emitter, recipient = document.emitter_data, document.recipient_data or {}
    return TaxContext(
        issue_date=issue_day,
        operation=document.operation.code,
        crt=int(emitter["crt"]),
        emitter_uf=emitter["uf"],
        recipient_uf=recipient.get("uf") or emitter["uf"],
        recipient_ie_indicator=int(recipient.get("ie_indicator", 9)),
        final_consumer=document.final_consumer,
        foreign=recipient.get("country_code", "1058") != "1058",
        cfops=document.operation.cfops(),
        rules=rules.active_rules(document.company_id),
        uf_rates=rules.uf_rates(),
    )


def _refuse_retired_cfops(codes: set[str]) -> None:
    """A CFOP the official table has retired stays on old notes but is refused on a new one (SEFAZ would)."""
    retired = sorted(Cfop.objects.filter(code__in=codes, is_active=False).values_list("code", flat=True))
    if retired:
        raise ValidationFailed(
            _("CFOP %(codes)s was retired from the official table: choose an operation or tax rule with a current one.")
            % {"codes": ", ".join(retired)},
            details=[
                {"field": "operation", "message": _("CFOP %(code)s retired.") % {"code": code}} for code in retired
            ],
        )


def _apply_taxes(document: FiscalDocument, lines: list[FiscalDocumentLine], issue_day) -> TaxResult:
    """Compute every line's taxes for `issue_day` and write them, the CFOPs and the totals on the objects."""
    tax_lines = [
        LineIn(
            number=line.number,
            ncm=line.ncm,
            origin=line.origin,
            gross=line.gross,
            discount=line.discount,
            freight=line.freight,
            insurance=line.insurance,
            other=line.other,
            cest=line.cest,
        )
        for line in lines
    ]
    result = calculate(_context(document, issue_day), tax_lines)
    for line, taxes in zip(lines, result.lines, strict=True):
        line.cfop = taxes.cfop
        line.taxes = {tax: tax_json(value) for tax, value in taxes.taxes.items()}
    _refuse_retired_cfops({line.cfop for line in lines})
    document.products_total = sum((line.gross for line in lines), ZERO)
    document.discount_total = sum((line.discount for line in lines), ZERO)
    document.freight_total = sum((line.freight for line in lines), ZERO)
    document.insurance_total = sum((line.insurance for line in lines), ZERO)
    document.other_total = sum((line.other for line in lines), ZERO)
    header = totals.totals(lines)
    document.tax_totals = _plain(header)
    document.total = header["vNF"]
    return result


def _validate_input(data: DocumentIn) -> list[dict]:
    problems = []
    if data.model not in (DocumentModel.NFE, DocumentModel.NFCE):
        problems.append({"field": "model", "message": _("Model must be 55 (NF-e) or 65 (NFC-e).")})
    if not data.items:
        problems.append({"field": "items", "message": _("Add at least one item.")})
    for n, item in enumerate(data.items, 1):
        field = f"items.{n}"
        if item.quantity <= 0:
            problems.append(
                {"field": f"{field}.quantity", "message": _("Item %(n)s: the quantity must be positive.") % {"n": n}}
            )
        if item.unit_price < 0:
            problems.append(
                {"field": f"{field}.unit_price", "message": _("Item %(n)s: the price cannot be negative.") % {"n": n}}
            )
        for name in ("discount", "freight", "insurance", "other"):
            if getattr(item, name) < 0:
                problems.append(
                    {"field": f"{field}.{name}", "message": _("Item %(n)s: amounts cannot be negative.") % {"n": n}}
                )
    for n, ref in enumerate(data.referenced_keys, 1):
        if not keys.is_valid_key(ref):
            problems.append(
                {"field": f"referenced_keys.{n}", "message": _("“%(key)s” is not a valid access key.") % {"key": ref}}
            )
    if data.model == DocumentModel.NFE and data.recipient_id is None:
        problems.append({"field": "recipient_id", "message": _("An NF-e needs a recipient.")})
    return problems


def _operation(data: DocumentIn, settings: FiscalSettings, actor: Actor) -> Operation:
    if data.operation:
        operation = scoped(Operation, actor).filter(code=data.operation, is_active=True).first()
        if operation is None:
            raise ValidationFailed(
                details=[
                    {"field": "operation", "message": _("Operation “%(code)s” not found.") % {"code": data.operation}}
                ]
            )
        return operation
    operation = settings.default_return_operation if data.referenced_keys else settings.default_sale_operation
    if operation is None:
        raise ValidationFailed(details=[{"field": "operation", "message": _("Choose the operation.")}])
    return operation


def _prepare(data: DocumentIn, *, actor: Actor) -> tuple[FiscalDocument, list[FiscalDocumentLine]]:
    """The unsaved document and lines for `data`, with their taxes; raises on any bad input."""
    if len(data.items) > MAX_ITEMS:
        raise TooManyItems(details=[{"field": "items", "message": str(TooManyItems.default_message)}])
    problems = _validate_input(data)
    if problems:
        raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)
    company = Company.objects.select_related("municipality").get(pk=company_id_of(actor))
    settings = settings_of(company)
    operation = _operation(data, settings, actor)
    if operation.is_return and not data.referenced_keys:
        raise ValidationFailed(
            details=[
                {"field": "referenced_keys", "message": _("A return refers to the access key of the original note.")}
            ]
        )
    recipient = None
    if data.recipient_id is not None:
        recipient = scoped(Party, actor).filter(pk=data.recipient_id).first()
        if recipient is None:
            raise ValidationFailed(details=[missing_row("recipient_id", _("Recipient not found."))])
    products = {p.pk: p for p in scoped(Product, actor).filter(pk__in={i.product_id for i in data.items})}
    missing = [n for n, item in enumerate(data.items, 1) if item.product_id not in products]
    if missing:
        raise ValidationFailed(
            details=[
                missing_row(f"items.{n}.product_id", _("Item %(n)s: product not found.") % {"n": n}) for n in missing
            ]
        )
    recipient_info = recipient_data(recipient) if recipient is not None else {}
    final_consumer = data.final_consumer
    if final_consumer is None:
        final_consumer = data.model == DocumentModel.NFCE or recipient_info.get("ie_indicator", 9) != 1
    issued_at = data.issue_at or timezone.now()
    series = settings.nfce_series if data.model == DocumentModel.NFCE else settings.nfe_series
    payments = [_plain(asdict(p)) for p in data.payments]
    document = FiscalDocument(
        company=company,
        model=data.model,
        series=series,
        environment=settings.environment,
        operation=operation,
        nature=operation.name,
        direction=operation.direction,
        purpose=operation.purpose,
        recipient=recipient,
        emitter_data=emitter_data(company),
        recipient_data=recipient_info,
        final_consumer=final_consumer,
        presence=data.presence,
        freight_mode=data.freight_mode,
        issued_at=issued_at,
        referenced_keys=list(data.referenced_keys),
        installments=[{"due_date": i.due_date.isoformat(), "amount": str(amount(i.amount))} for i in data.installments],
        additional_info=data.additional_info,
        source_type=data.source_type,
        source_id=data.source_id,
    )
    lines = []
    for n, item in enumerate(data.items, 1):
        product = products[item.product_id]
        quantity = quantize(item.quantity, 4)
        unit_price = quantize(item.unit_price, 10)
        lines.append(
            FiscalDocumentLine(
                number=n,
                product=product,
                code=product.sku,
                description=(item.description or product.name)[:120],
                ncm=product.ncm_id,
                cest=product.cest_id or "",
                gtin=product.gtin or "SEM GTIN",
                origin=product.origin,
                unit=product.unit,
                quantity=quantity,
                unit_price=unit_price,
                gross=amount(quantity * unit_price),
                discount=amount(item.discount),
                freight=amount(item.freight),
                insurance=amount(item.insurance),
                other=amount(item.other),
                source_line=item.source_line,
            )
        )
    _apply_taxes(document, lines, timezone.localdate(issued_at))
    document.payments = payments or _default_payments(document)
    return document, lines


def _default_payments(document: FiscalDocument) -> list[dict]:
    """No payment given: a return or a remittance pays nothing (90); a sale with installments is a
    boleto (15); an NFC-e is paid in cash (01)."""
    if document.installments:
        return [{"method": "15", "amount": str(document.total)}]
    if document.model == DocumentModel.NFCE:
        return [{"method": "01", "amount": str(document.total)}]
    return [{"method": "90", "amount": "0.00"}]


def preview(data: DocumentIn, *, actor: Actor) -> tuple[FiscalDocument, list[FiscalDocumentLine]]:
    """The document `data` would make, with every tax and its reason, saving nothing."""
    return _prepare(data, actor=actor)


def build_document(data: DocumentIn, *, actor: Actor) -> FiscalDocument:
    """A draft note from `data`: lines, taxes (with the rule behind each) and totals. No number yet."""
    with transaction.atomic():
        document, lines = _prepare(data, actor=actor)
        document.save()
        for line in lines:
            line.document = document
        FiscalDocumentLine.objects.bulk_create(lines)
        DocumentEvent.objects.create(
            document_type=document._meta.label_lower,
            document_id=document.pk,
            to_state=document.state,
            user=actor.user,
            origin=actor.origin,
            payload={"source_type": data.source_type, "source_id": data.source_id} if data.source_type else {},
        )
        audit.record_created(actor, document)
    return document


def _nfce_qr_code(document, uf: str, signed, certificate) -> str:
    from retaguarda.fiscal.xml import nfce

    settings = document.company.fiscal_settings
    if document.emission_type != contingency.NFCE_OFFLINE:
        return nfce.qr_code(
            document.key, uf, document.environment, version=settings.nfce_qr_version, csc_id=settings.csc_id,
            csc=settings.csc,
        )  # fmt: skip
    day = document.issued_at.astimezone(formats.BRASILIA).day
    if settings.nfce_qr_version == 2:
        return nfce.offline_qr_code_v2(
            document.key, uf, document.environment, day=day, total=document.total,
            digest_value=signed.findtext(f".//{{{signing.DS}}}DigestValue"), csc_id=settings.csc_id, csc=settings.csc,
        )  # fmt: skip
    return nfce.offline_qr_code(
        document.key, uf, document.environment, day=day, total=document.total,
        recipient_document=(document.recipient_data or {}).get("document", ""), private_key=certificate.key,
    )  # fmt: skip


def _sign_and_validate(document, lines, certificate) -> bytes:
    # nfelib's bindings (and xsdata) cost seconds of CPU to import: loaded with the first note built, so
    # a server, a worker or a command that never writes an NF-e does not pay for them.
    from retaguarda.fiscal.xml import builder, nfce

    signed = signing.sign(builder.build(document, lines), f"NFe{document.key}", certificate)
    if document.model == DocumentModel.NFCE:  # infNFeSupl is outside what is signed: added afterwards
        uf = document.emitter_data["uf"]
        document.qr_code = _nfce_qr_code(document, uf, signed, certificate)
        nfce.add_supplement(signed, document.qr_code, nfce.consultation_url(uf, document.environment))
    problems = schemas.errors(signed, NFE_SCHEMA)
    if problems:
        raise InvalidXml(
            _("The note's XML breaks the official schema: %(first)s") % {"first": problems[0]},
            details=[{"field": None, "message": p} for p in problems[:20]],
        )
    return etree.tostring(signed, encoding="utf-8")


def issue_document(document_id: int, *, actor: Actor, certificate=None) -> FiscalDocument:
    """Queue a draft for SEFAZ: take the next number of its series, compute the key, recompute the taxes
    for the issue date, build, validate, sign and archive the XML. All or nothing."""
    with transaction.atomic():
        document = transition(
            FiscalDocument, document_id, to=DocumentState.QUEUED, actor=actor, queryset=scoped(FiscalDocument, actor)
        )
        document = FiscalDocument.objects.select_related("company__fiscal_settings", "operation").get(pk=document.pk)
        company = document.company
        if certificate is None:
            certificate = certificates.signing_certificate(company, company.fiscal_settings)
        lines = list(document.lines.order_by("number"))
        document.issued_at = timezone.now()
        _apply_taxes(document, lines, timezone.localdate(document.issued_at))
        settings = company.fiscal_settings
        document.emission_type = contingency.emission_type(
            document.model, document.emitter_data["uf"], in_contingency=settings.contingency
        )
        in_contingency = document.emission_type != contingency.NORMAL
        document.contingency_since = settings.contingency_since if in_contingency else None
        document.contingency_reason = settings.contingency_reason if in_contingency else ""
        if document.number is None:  # a note back from a rejection keeps its number (SEFAZ never used it)
            document.number = gapless_number(f"fiscal.{document.model}.{document.series}", company_id=company.pk)
            document.random_code = keys.random_code(document.number)
        document.key = str(
            keys.AccessKey(
                uf=document.emitter_data["uf"],
                issued=timezone.localdate(document.issued_at),
                cnpj=document.emitter_data["cnpj"],
                model=document.model,
                series=document.series,
                number=document.number,
                emission_type=document.emission_type,
                random_code=document.random_code,
            )
        )
        document.xml = _sign_and_validate(document, lines, certificate).decode()
        document.save()
        update_columns(FiscalDocumentLine, lines, ["cfop", "taxes"])  # taxes recomputed for the issue date
        outbox.emit(QUEUED_EVENT, {"document_id": document.pk}, company_id=company.pk)
        audit.record(actor, document, "issued", {"number": document.number, "key": document.key})
    return document


def signed_xml(document: FiscalDocument) -> bytes | None:
    """The document's current XML (signed; with its protocol once authorized), None for a draft."""
    return document.xml.encode() if document.xml else None


def reopen_document(document_id: int, *, actor: Actor) -> FiscalDocument:
    """A rejected note goes back to draft to be fixed and issued again under the same number."""
    with transaction.atomic():
        document = transition(
            FiscalDocument, document_id, to=DocumentState.DRAFT, actor=actor, queryset=scoped(FiscalDocument, actor)
        )
        document.xml = ""
        document.save(update_fields=["xml"])
        audit.record(actor, document, "reopened")
    return document


def discard_document(document_id: int, *, actor: Actor) -> FiscalDocument:
    """A draft that will not be issued (it never had a number)."""
    with transaction.atomic():
        document = transition(
            FiscalDocument,
            document_id,
            to=DocumentState.DISCARDED,
            actor=actor,
            queryset=scoped(FiscalDocument, actor),
        )
        audit.record(actor, document, "discarded")
    return document


def as_dict(value):
    """Inputs echoed back (API previews): dataclasses and Decimals as JSON-safe values."""
    return _plain(asdict(value)) if is_dataclass(value) else _plain(value)
