"""The starting operations and tax rules of a company: a Simples Nacional retailer's or a normal
regime company's. They are data, meant to be reviewed by the company's accountant; each rule says
its legal basis. Seeding is idempotent (an operation or rule already there is left alone)."""

from datetime import date
from decimal import Decimal as D

from django.db import transaction

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.fiscal.models import Direction, FiscalSettings, Operation, Purpose, TaxRule
from retaguarda.fiscal.taxes.model import Recipient, Regime, Scope, Tax

OPERATIONS = [
    # code, nature (natOp), direction, purpose, CFOPs within the state / interstate / abroad
    ("venda", "Venda de mercadoria", Direction.OUTBOUND, Purpose.NORMAL, "5102", "6102", "7102"),
    ("devolucao_venda", "Devolução de venda", Direction.INBOUND, Purpose.RETURN, "1202", "2202", "3202"),
    ("devolucao_compra", "Devolução de compra para comercialização", Direction.OUTBOUND, Purpose.RETURN, "5202", "6202", "7202"),
    ("transferencia", "Transferência de mercadoria", Direction.OUTBOUND, Purpose.NORMAL, "5152", "6152", ""),
    ("bonificacao", "Bonificação, doação ou brinde", Direction.OUTBOUND, Purpose.NORMAL, "5910", "6910", "7949"),
    ("remessa", "Outra saída de mercadoria", Direction.OUTBOUND, Purpose.NORMAL, "5949", "6949", "7949"),
]  # fmt: skip

YEAR_2026 = {"valid_from": date(2026, 1, 1), "valid_until": date(2026, 12, 31)}
IBS_CBS_2026 = "LC 214/2025, art. 343 e 346: 2026 é ano de teste (CBS 0,9 %, IBS 0,1 %)."

SIMPLES_RULES = [
    dict(name="Simples Nacional: venda sem crédito (CSOSN 102)", tax=Tax.ICMS_SN, regime=Regime.SIMPLES, cst="102",
         legal_basis="LC 123/2006; ICMS recolhido no DAS."),
    dict(name="Simples Nacional: venda a contribuinte com crédito (CSOSN 101)", tax=Tax.ICMS_SN, regime=Regime.SIMPLES,
         recipient=Recipient.TAXPAYER, operation="venda", cst="101", credit_rate=D("1.25"), priority=1,
         legal_basis="LC 123/2006, art. 23: ajuste o percentual à faixa de receita do mês."),
    dict(name="Simples Nacional: cerveja com ST já retida (CSOSN 500)", tax=Tax.ICMS_SN, regime=Regime.SIMPLES,
         ncm_prefix="2203", scope=Scope.INTERNAL, operation="venda", cst="500", set_cfop="5405", priority=2,
         legal_basis="Mercadoria recebida com ICMS retido por substituição tributária."),
    dict(name="PIS Simples Nacional (CST 49)", tax=Tax.PIS, regime=Regime.SIMPLES, cst="49", legal_basis="Recolhido no DAS."),
    dict(name="COFINS Simples Nacional (CST 49)", tax=Tax.COFINS, regime=Regime.SIMPLES, cst="49", legal_basis="Recolhido no DAS."),
    dict(name="PIS Simples Nacional, entrada (CST 98)", tax=Tax.PIS, regime=Regime.SIMPLES, operation="devolucao_venda", cst="98"),
    dict(name="COFINS Simples Nacional, entrada (CST 98)", tax=Tax.COFINS, regime=Regime.SIMPLES, operation="devolucao_venda", cst="98"),
]  # fmt: skip

NORMAL_RULES = [
    dict(name="ICMS tributado integralmente (CST 00)", tax=Tax.ICMS, regime=Regime.NORMAL, cst="00",
         legal_basis="Alíquota interna da UF ou interestadual (Resoluções SF 22/1989 e 13/2012)."),
    dict(name="ICMS cesta básica SP com redução de base (CST 20)", tax=Tax.ICMS, regime=Regime.NORMAL, cst="20",
         ncm_prefix="1006", origin_uf="SP", scope=Scope.INTERNAL, base_reduction=D("61.11"), priority=1,
         legal_basis="RICMS/SP, Anexo II: carga tributária de 7 %."),
    dict(name="ICMS cerveja com ST já retida (CST 60)", tax=Tax.ICMS, regime=Regime.NORMAL, cst="60",
         ncm_prefix="2203", scope=Scope.INTERNAL, operation="venda", set_cfop="5405", priority=1,
         legal_basis="Mercadoria recebida com ICMS retido por substituição tributária."),
    dict(name="ICMS autopeças com ST a contribuinte (CST 10)", tax=Tax.ICMS, regime=Regime.NORMAL, cst="10",
         ncm_prefix="8708", recipient=Recipient.TAXPAYER, operation="venda", set_cfop="", priority=1,
         legal_basis="Convênio ICMS 142/2018."),
    dict(name="ICMS-ST autopeças (MVA original 71,78 %)", tax=Tax.ICMS_ST, ncm_prefix="8708", mva=D("71.78"),
         legal_basis="Convênio ICMS 142/2018: confira a MVA do protocolo aplicável ao seu produto."),
    dict(name="FCP da UF do emitente", tax=Tax.FCP, regime=Regime.NORMAL, legal_basis="ADCT, art. 82."),
    dict(name="DIFAL a consumidor final não contribuinte", tax=Tax.DIFAL, regime=Regime.NORMAL,
         recipient=Recipient.NON_TAXPAYER, legal_basis="EC 87/2015; LC 190/2022."),
    dict(name="DIFAL MG (base dupla)", tax=Tax.DIFAL, regime=Regime.NORMAL, recipient=Recipient.NON_TAXPAYER,
         destination_uf="MG", difal_double_base=True, priority=1, legal_basis="RICMS/MG, art. 43, § 8º."),
    dict(name="PIS não cumulativo (CST 01)", tax=Tax.PIS, regime=Regime.NORMAL, cst="01", rate=D("1.65"),
         legal_basis="Lei 10.637/2002."),
    dict(name="COFINS não cumulativa (CST 01)", tax=Tax.COFINS, regime=Regime.NORMAL, cst="01", rate=D("7.6"),
         legal_basis="Lei 10.833/2003."),
    dict(name="PIS cumulativo (CST 01)", tax=Tax.PIS, regime=Regime.NORMAL, cst="01", rate=D("0.65"), is_active=False,
         legal_basis="Lei 9.718/1998 (lucro presumido): ative no lugar do não cumulativo."),
    dict(name="COFINS cumulativa (CST 01)", tax=Tax.COFINS, regime=Regime.NORMAL, cst="01", rate=D("3"), is_active=False,
         legal_basis="Lei 9.718/1998 (lucro presumido): ative no lugar da não cumulativa."),
    dict(name="PIS devolução de venda (CST 98)", tax=Tax.PIS, regime=Regime.NORMAL, operation="devolucao_venda", cst="98", priority=1),
    dict(name="COFINS devolução de venda (CST 98)", tax=Tax.COFINS, regime=Regime.NORMAL, operation="devolucao_venda", cst="98", priority=1),
    dict(name="IPI tributado (exemplo, NCM 8516)", tax=Tax.IPI, ncm_prefix="8516", cst="50", rate=D("9.75"), is_active=False,
         legal_basis="TIPI: confira a alíquota do seu NCM e ative para estabelecimentos industriais."),
    dict(name="CBS 2026", tax=Tax.CBS, regime=Regime.NORMAL, cst="000", cclasstrib="000001", rate=D("0.9"),
         legal_basis=IBS_CBS_2026, **YEAR_2026),
    dict(name="IBS estadual 2026", tax=Tax.IBS_UF, regime=Regime.NORMAL, cst="000", cclasstrib="000001", rate=D("0.1"),
         legal_basis=IBS_CBS_2026, **YEAR_2026),
    dict(name="IBS municipal 2026", tax=Tax.IBS_MUN, regime=Regime.NORMAL, cst="000", cclasstrib="000001", rate=D("0"),
         legal_basis=IBS_CBS_2026, **YEAR_2026),
]  # fmt: skip


def seed_company(company, *, actor: Actor) -> FiscalSettings:
    """Fiscal settings, the usual operations and the regime's starting rules (idempotent)."""
    with transaction.atomic():
        settings, created = FiscalSettings.objects.get_or_create(company=company)
        if created:
            audit.record_created(actor, settings, company_id=company.pk)
        operations = {op.code: op for op in Operation.objects.filter(company=company)}
        for code, name, direction, purpose, internal, interstate, foreign in OPERATIONS:
            if code not in operations:
                operations[code] = Operation.objects.create(
                    company=company,
                    code=code,
                    name=name,
                    direction=direction,
                    purpose=purpose,
                    cfop_internal=internal,
                    cfop_interstate=interstate,
                    cfop_foreign=foreign,
                )
                audit.record_created(actor, operations[code])
        existing = set(TaxRule.objects.filter(company=company).values_list("name", flat=True))
        rules = SIMPLES_RULES if company.tax_regime in (1, 4) else NORMAL_RULES
        for spec in rules:
            if spec["name"] in existing:
                continue
            data = dict(spec)
            operation = data.pop("operation", None)
            rule = TaxRule.objects.create(company=company, operation=operations.get(operation), **data)
            audit.record_created(actor, rule)
        changed = False
        if settings.default_sale_operation_id is None:
            settings.default_sale_operation = operations["venda"]
            changed = True
        if settings.default_return_operation_id is None:
            settings.default_return_operation = operations["devolucao_venda"]
            changed = True
        if changed:
            settings.save()
    return settings


def point_demo_at(url: str) -> int:
    """Point the demo company (or every company signing with a test certificate in homologação) at the
    local fake SEFAZ at `url`; returns how many companies now talk to it."""
    with transaction.atomic():
        return FiscalSettings.objects.filter(uses_test_certificate=True, environment=2).update(sefaz_url=url)
