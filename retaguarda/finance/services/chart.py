"""The chart of categories: a sensible default for a Brazilian small business, seeded once per company,
then the company's own to edit; and cost centers."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed, missing_row
from retaguarda.core.scope import company_id_of
from retaguarda.core.versioning import lock_for_edit
from retaguarda.finance.models import BalanceAccount, Category, CategoryKind, CostCenter, DreGroup

INC, EXP = CategoryKind.INCOME, CategoryKind.EXPENSE
G = DreGroup

# (code, name, kind, income statement line, posts to, role). The names are the company's data, in
# Portuguese as an accountant would write them; the company renames or adds as it likes.
DEFAULT_CHART: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("1", "Receitas", INC, G.GROSS_REVENUE, "", ""),
    ("1.1", "Receita bruta de vendas", INC, G.GROSS_REVENUE, "", ""),
    ("1.1.01", "Venda de mercadorias", INC, G.GROSS_REVENUE, "", "sales"),
    ("1.1.02", "Prestação de serviços", INC, G.GROSS_REVENUE, "", ""),
    ("1.2", "Outras receitas operacionais", INC, G.OTHER_OPERATING_INCOME, "", ""),
    ("1.2.01", "Receitas diversas", INC, G.OTHER_OPERATING_INCOME, "", ""),
    ("1.3", "Receitas financeiras", INC, G.FINANCIAL_INCOME, "", ""),
    ("1.3.01", "Juros recebidos", INC, G.FINANCIAL_INCOME, "", "interest_received"),
    ("1.3.02", "Multas recebidas", INC, G.FINANCIAL_INCOME, "", "fines_received"),
    ("1.3.03", "Descontos obtidos", INC, G.FINANCIAL_INCOME, "", "discounts_obtained"),
    ("1.3.04", "Rendimentos de aplicações", INC, G.FINANCIAL_INCOME, "", ""),
    ("1.4", "Entradas não operacionais", INC, G.NONE, "", ""),
    ("1.4.01", "Empréstimos recebidos", INC, G.NONE, BalanceAccount.LOANS, ""),
    ("1.4.02", "Aportes de sócios", INC, G.NONE, BalanceAccount.EQUITY, ""),
    ("2", "Deduções da receita", EXP, G.DEDUCTIONS, "", ""),
    ("2.1", "Impostos sobre vendas (DAS, ICMS, PIS, COFINS, ISS)", EXP, G.DEDUCTIONS, "", "sales_taxes"),
    ("2.2", "Devoluções de vendas", EXP, G.DEDUCTIONS, "", "sales_returns"),
    ("2.3", "Recolhimento de impostos já apurados", EXP, G.DEDUCTIONS, BalanceAccount.TAXES_PAYABLE, "tax_payments"),
    ("3", "Custos", EXP, G.COST_OF_GOODS, "", ""),
    ("3.1", "Custo das mercadorias vendidas (CMV)", EXP, G.COST_OF_GOODS, "", "cmv"),
    ("3.2", "Compras de mercadorias para revenda", EXP, G.COST_OF_GOODS, BalanceAccount.INVENTORY, "purchases"),
    ("3.3", "Fretes sobre compras", EXP, G.COST_OF_GOODS, BalanceAccount.INVENTORY, ""),
    ("4", "Despesas operacionais", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.1", "Despesas com pessoal", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.1.01", "Salários e ordenados", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.1.02", "Encargos sociais (INSS, FGTS)", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.1.03", "Pró-labore", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.1.04", "Benefícios (vale-transporte, refeição, saúde)", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.2", "Despesas administrativas", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.2.01", "Aluguel e condomínio", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.2.02", "Energia elétrica", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.2.03", "Água e esgoto", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.2.04", "Telefone e internet", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.2.05", "Contabilidade", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.2.06", "Software e sistemas", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.2.07", "Material de escritório e limpeza", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.3", "Despesas comerciais", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.3.01", "Marketing e publicidade", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.3.02", "Comissões de vendedores", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.3.03", "Tarifas de marketplaces e meios de pagamento", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.3.04", "Fretes sobre vendas", EXP, G.OPERATING_EXPENSES, "", ""),
    ("4.4", "Impostos e taxas (IPTU, alvarás)", EXP, G.OPERATING_EXPENSES, "", ""),
    ("5", "Despesas financeiras", EXP, G.FINANCIAL_EXPENSES, "", ""),
    ("5.1", "Juros pagos", EXP, G.FINANCIAL_EXPENSES, "", "interest_paid"),
    ("5.2", "Multas pagas", EXP, G.FINANCIAL_EXPENSES, "", "fines_paid"),
    ("5.3", "Descontos concedidos", EXP, G.FINANCIAL_EXPENSES, "", "discounts_granted"),
    ("5.4", "Tarifas bancárias", EXP, G.FINANCIAL_EXPENSES, "", "bank_fees"),
    ("5.5", "IOF", EXP, G.FINANCIAL_EXPENSES, "", ""),
    ("6", "Impostos sobre o lucro", EXP, G.INCOME_TAXES, "", ""),
    ("6.1", "IRPJ", EXP, G.INCOME_TAXES, "", ""),
    ("6.2", "CSLL", EXP, G.INCOME_TAXES, "", ""),
    ("7", "Saídas não operacionais", EXP, G.NONE, "", ""),
    ("7.1", "Compra de imobilizado", EXP, G.NONE, BalanceAccount.FIXED_ASSETS, ""),
    ("7.2", "Pagamento de empréstimos", EXP, G.NONE, BalanceAccount.LOANS, ""),
    ("7.3", "Distribuição de lucros", EXP, G.NONE, BalanceAccount.EQUITY, ""),
)
ROLES = {row[5] for row in DEFAULT_CHART if row[5]}


def ensure_chart(company_id: int) -> None:
    """Seed the default chart the first time a company uses finance (one query afterwards)."""
    if Category.objects.filter(company_id=company_id).exists():
        return
    try:
        with transaction.atomic():
            by_code: dict[str, Category] = {}
            for code, name, kind, group, posts_to, role in DEFAULT_CHART:
                parent = by_code.get(code.rpartition(".")[0])
                by_code[code] = Category.objects.create(
                    company_id=company_id,
                    parent=parent,
                    code=code,
                    name=name,
                    kind=kind,
                    dre_group=group,
                    posts_to=posts_to,
                    role=role,
                )
    except IntegrityError:
        pass  # seeded by a concurrent first use


def category_for_role(company_id: int, role: str) -> Category:
    ensure_chart(company_id)
    category = Category.objects.filter(company_id=company_id, role=role).first()
    if category is None:
        raise ValidationFailed(
            _("The chart of categories has no category for “%(role)s”.") % {"role": role},
            details=[{"field": "category", "message": _("Category not found.")}],
        )
    return category


def category_of(company_id: int, category_id: int | None, *, field: str = "category_id") -> Category:
    """The company's active category `category_id`; anything else is a validation error."""
    category = Category.objects.filter(company_id=company_id, pk=category_id).first() if category_id else None
    if category is None:
        raise ValidationFailed(details=[missing_row(field, _("Category not found."))])
    if not category.is_active:
        raise ValidationFailed(details=[{"field": field, "message": _("The category is inactive.")}])
    return category


def cost_center_of(company_id: int, cost_center_id: int | None) -> CostCenter | None:
    if not cost_center_id:
        return None
    center = CostCenter.objects.filter(company_id=company_id, pk=cost_center_id, is_active=True).first()
    if center is None:
        raise ValidationFailed(details=[missing_row("cost_center_id", _("Cost center not found."))])
    return center


def _clean_category(company_id: int, data: dict, *, instance: Category | None = None) -> list[dict]:
    details = []
    code = (data.get("code") or "").strip()
    name = (data.get("name") or "").strip()
    if not code:
        details.append({"field": "code", "message": _("This field is required.")})
    elif len(code) > 20:
        details.append({"field": "code", "message": _("Text too long.")})
    if not name:
        details.append({"field": "name", "message": _("This field is required.")})
    elif len(name) > 80:
        details.append({"field": "name", "message": _("Text too long.")})
    if data.get("kind") not in CategoryKind.values:
        details.append({"field": "kind", "message": _("Choose income or expense.")})
    if data.get("dre_group") not in DreGroup.values:
        details.append({"field": "dre_group", "message": _("Choose the income statement line.")})
    if (data.get("posts_to") or "") not in ["", *[v for v in BalanceAccount.values if v != BalanceAccount.CASH]]:
        details.append({"field": "posts_to", "message": _("Invalid value.")})
    taken = Category.objects.filter(company_id=company_id, code=code)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if code and taken.exists():
        details.append({"field": "code", "message": _("Another category has this code.")})
    parent_id = data.get("parent_id")
    if parent_id:
        parent = Category.objects.filter(company_id=company_id, pk=parent_id).first()
        if parent is None:
            details.append(missing_row("parent_id", _("Category not found.")))
        elif instance is not None and _is_descendant(parent, instance):
            details.append({"field": "parent_id", "message": _("A category cannot be placed under itself.")})
    data["code"], data["name"] = code, name
    return details


def _is_descendant(candidate: Category, ancestor: Category) -> bool:
    node, seen = candidate, set()
    while node is not None and node.pk not in seen:
        if node.pk == ancestor.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


CATEGORY_FIELDS = ("parent_id", "code", "name", "kind", "dre_group", "posts_to", "is_active")


def create_category(*, actor: Actor, **data) -> Category:
    company_id = company_id_of(actor)
    ensure_chart(company_id)
    data = {k: data.get(k) for k in CATEGORY_FIELDS if k in data}
    data.setdefault("posts_to", "")
    details = _clean_category(company_id, data)
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        category = Category.objects.create(company_id=company_id, **data)
        audit.record_created(actor, category)
    return category


def update_category(category_id: int, *, actor: Actor, version: int | None = None, **changes) -> Category:
    company_id = company_id_of(actor)
    with transaction.atomic():
        category = lock_for_edit(Category.objects.filter(company_id=company_id), category_id, version)
        before = audit.snapshot(category)
        data = {k: getattr(category, k) for k in CATEGORY_FIELDS}
        data.update({k: v for k, v in changes.items() if k in CATEGORY_FIELDS})
        if category.role and data["kind"] != category.kind:
            raise ValidationFailed(
                details=[{"field": "kind", "message": _("The services use this category: its kind cannot change.")}]
            )
        details = _clean_category(company_id, data, instance=category)
        if details:
            raise ValidationFailed(details=details)
        for k, v in data.items():
            setattr(category, k, v)
        category.version += 1
        category.save()
        audit.record_changed(actor, category, before)
    return category


def create_cost_center(*, actor: Actor, code: str, name: str) -> CostCenter:
    company_id = company_id_of(actor)
    code, name = (code or "").strip(), (name or "").strip()
    details = []
    if not code or len(code) > 20:
        details.append({"field": "code", "message": _("Enter a code of up to 20 characters.")})
    if not name or len(name) > 80:
        details.append({"field": "name", "message": _("Enter a name of up to 80 characters.")})
    if code and CostCenter.objects.filter(company_id=company_id, code=code).exists():
        details.append({"field": "code", "message": _("Another cost center has this code.")})
    if details:
        raise ValidationFailed(details=details)
    with transaction.atomic():
        center = CostCenter.objects.create(company_id=company_id, code=code, name=name)
        audit.record_created(actor, center)
    return center


def update_cost_center(center_id: int, *, actor: Actor, version: int | None = None, **changes) -> CostCenter:
    company_id = company_id_of(actor)
    with transaction.atomic():
        center = lock_for_edit(CostCenter.objects.filter(company_id=company_id), center_id, version)
        before = audit.snapshot(center)
        for field in ("code", "name"):
            if field in changes:
                value = (changes[field] or "").strip()
                if not value:
                    raise ValidationFailed(details=[{"field": field, "message": _("This field is required.")}])
                setattr(center, field, value)
        if "is_active" in changes:
            center.is_active = bool(changes["is_active"])
        if CostCenter.objects.filter(company_id=company_id, code=center.code).exclude(pk=center.pk).exists():
            raise ValidationFailed(details=[{"field": "code", "message": _("Another cost center has this code.")}])
        center.version += 1
        center.save()
        audit.record_changed(actor, center, before)
    return center


def get_category(company_id: int, category_id: int) -> Category:
    category = Category.objects.filter(company_id=company_id, pk=category_id).first()
    if category is None:
        raise NotFound()
    return category
