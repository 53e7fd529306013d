"""Products in and out of spreadsheets (`retaguarda import products`, the import page, exports).

One row per product, matched by SKU: a new SKU creates the product, a known one changes only the
cells that are filled in (a file with just `sku;preco` updates prices). Variations name their
parent in `variacao_de` and their values in `atributos` (`Tamanho=P | Cor=Azul`); kits list their
components in `componentes` (`CANECA-01*2 | PRATO-03*4`).
"""

import re
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retaguarda.catalog import services, validation
from retaguarda.catalog.models import Product, ProductType
from retaguarda.core import tabular
from retaguarda.core.decimals import typed_decimal
from retaguarda.core.tabular import Column, Exporter, Importer, Row
from retaguarda.core.tabular.layouts import Layout, layout_of
from retaguarda.core.text import fold
from retaguarda.core.validators import SEM_GTIN

_TYPES = {
    "produto": ProductType.GOODS,
    "mercadoria": ProductType.GOODS,
    "goods": ProductType.GOODS,
    "servico": ProductType.SERVICE,
    "service": ProductType.SERVICE,
    "kit": ProductType.KIT,
}
_TYPE_NAMES = {ProductType.GOODS: "produto", ProductType.SERVICE: "servico", ProductType.KIT: "kit"}


def parse_type(value: str) -> str:
    found = _TYPES.get(fold(value))
    if found is None:
        raise ValueError(_("Unknown type %(value)s: use produto, servico or kit.") % {"value": value})
    return found


def parse_origin(value: str) -> int:
    head = value.strip().split(" ")[0].split("-")[0]
    if not head.isdigit() or not 0 <= int(head) <= 8:
        raise ValueError(_("The origin is a code from 0 to 8."))
    return int(head)


def parse_attributes(value: str) -> dict[str, str]:
    """`Tamanho=P | Cor=Azul` (or `Tamanho: P`; Bling writes `Cor:Azul;Tamanho:M`)."""
    result = {}
    for part in re.split(r"[|;]", value):
        if not part.strip():
            continue
        sep = "=" if "=" in part else ":"
        name, found, attr_value = part.partition(sep)
        if not found or not name.strip() or not attr_value.strip():
            raise ValueError(_("Write the attributes as Tamanho=P | Cor=Azul."))
        result[name.strip()] = attr_value.strip()
    if not result:
        raise ValueError(_("Write the attributes as Tamanho=P | Cor=Azul."))
    return result


def parse_components(value: str) -> list[tuple[str, Decimal]]:
    """`CANECA-01*2 | PRATO-03*4`: SKU, asterisk, quantity; entries separated by `|`."""
    result = []
    for part in value.split("|"):
        if not part.strip():
            continue
        sku, found, quantity = part.rpartition("*")
        if not found:
            sku, quantity = part, "1"
        try:
            amount = typed_decimal(quantity)
        except ValueError:
            raise ValueError(_("Write the components as SKU*quantity | SKU*quantity.")) from None
        if not sku.strip() or amount <= 0:
            raise ValueError(_("Write the components as SKU*quantity | SKU*quantity."))
        result.append((sku.strip(), amount))
    return result


# column name -> Product field
FIELDS = {
    "sku": "sku",
    "nome": "name",
    "descricao": "description",
    "tipo": "product_type",
    "gtin": "gtin",
    "ncm": "ncm",
    "cest": "cest",
    "origem": "origin",
    "unidade": "unit",
    "unidade_tributavel": "tax_unit",
    "unidade_compra": "purchase_unit",
    "fator_compra": "purchase_factor",
    "peso_bruto": "gross_weight",
    "peso_liquido": "net_weight",
    "altura_cm": "height_cm",
    "largura_cm": "width_cm",
    "comprimento_cm": "length_cm",
    "custo": "cost",
    "preco": "price",
    "estoque_minimo": "minimum_stock",
    "estoque_maximo": "maximum_stock",
    "categoria": "category",
    "ativo": "is_active",
}
COLUMN_OF = {field: column for column, field in FIELDS.items()}
COLUMN_OF.update({"parent_sku": "variacao_de", "attributes": "atributos", "components": "componentes"})

_dec = typed_decimal
COLUMNS = (
    Column("sku", required=True, aliases=("codigo", "referencia")),
    Column("nome", aliases=("descricao_curta", "produto", "name")),
    Column("descricao", aliases=("descricao_completa", "description")),
    Column("tipo", parser=parse_type),
    Column("gtin", aliases=("ean", "codigo_de_barras", "cod_barras")),
    Column("ncm"),
    Column("cest"),
    Column("origem", parser=parse_origin),
    Column("unidade", aliases=("un", "unidade_comercial")),
    Column("unidade_tributavel"),
    Column("unidade_compra"),
    Column("fator_compra", parser=_dec, aliases=("fator_conversao",)),
    Column("peso_bruto", parser=_dec),
    Column("peso_liquido", parser=_dec),
    Column("altura_cm", parser=_dec, aliases=("altura",)),
    Column("largura_cm", parser=_dec, aliases=("largura",)),
    Column("comprimento_cm", parser=_dec, aliases=("comprimento", "profundidade")),
    Column("custo", parser=_dec, aliases=("preco_de_custo", "preco_custo")),
    Column("preco", parser=_dec, aliases=("preco_de_venda", "preco_venda", "valor")),
    Column("estoque_minimo", parser=_dec),
    Column("estoque_maximo", parser=_dec),
    Column("categoria", aliases=("grupo",)),
    Column("ativo", parser=tabular.parse_bool, aliases=("situacao",)),
    Column("variacao_de", aliases=("sku_pai", "produto_pai")),
    Column("atributos", parser=parse_attributes, aliases=("grade",)),
    Column("componentes", parser=parse_components, aliases=("composicao",)),
)


# Bling's and Tiny's product exports, known by their headers (../shared/data/formats/bling-products.md;
# Tiny's from its published spreadsheet). Variations are rows naming their parent's code.
LAYOUTS = (
    Layout(
        "bling",
        signature=("Código", "Descrição", "Código Pai"),
        headers={
            "sku": ("Código",),
            "nome": ("Descrição",),
            "descricao": ("Descrição Complementar",),
            "unidade": ("Unidade",),
            "ncm": ("NCM",),
            "cest": ("CEST",),
            "origem": ("Origem",),
            "preco": ("Preço",),
            "custo": ("Preço de custo",),
            "ativo": ("Situação",),
            "estoque_minimo": ("Estoque minimo", "Estoque mínimo"),
            "estoque_maximo": ("Estoque maximo", "Estoque máximo"),
            "peso_liquido": ("Peso líquido (Kg)",),
            "peso_bruto": ("Peso bruto (Kg)",),
            "gtin": ("GTIN/EAN",),
            "largura_cm": ("Largura do Produto",),
            "altura_cm": ("Altura do Produto",),
            "comprimento_cm": ("Profundidade do produto",),
            "categoria": ("Categoria do produto", "Grupo de produtos"),
            "variacao_de": ("Código Pai",),
            "atributos": ("Produto Variação",),
        },
    ),
    Layout(
        "tiny",
        signature=("Código (SKU)", "Descrição"),
        headers={
            "sku": ("Código (SKU)",),
            "nome": ("Descrição",),
            "descricao": ("Descrição complementar",),
            "unidade": ("Unidade",),
            "ncm": ("Classificação fiscal", "NCM"),
            "cest": ("CEST",),
            "origem": ("Origem",),
            "preco": ("Preço",),
            "custo": ("Preço de custo",),
            "ativo": ("Situação",),
            "estoque_minimo": ("Estoque mínimo",),
            "estoque_maximo": ("Estoque máximo",),
            "peso_liquido": ("Peso líquido (Kg)",),
            "peso_bruto": ("Peso bruto (Kg)",),
            "gtin": ("GTIN/EAN",),
            "largura_cm": ("Largura embalagem",),
            "altura_cm": ("Altura embalagem",),
            "comprimento_cm": ("Comprimento embalagem",),
            "categoria": ("Categoria",),
            "variacao_de": ("Código do pai",),
            "atributos": ("Variações",),
        },
    ),
)


class ProductImporter(Importer):
    name = "products"
    label = gettext_lazy("Products")
    permission = "catalog.change"
    list_url = "catalog:product_list"
    hint = gettext_lazy(
        "A known SKU updates the product with the filled cells only. Variations: variacao_de = parent SKU,"
        " atributos = Tamanho=P | Cor=Azul. Kits: tipo = kit, componentes = SKU*2 | SKU*1."
    )
    columns = COLUMNS
    batch_size = 1000

    @classmethod
    def columns_for(cls, header: list[str]):
        layout = layout_of(header, LAYOUTS)
        return layout.columns(cls.columns) if layout else cls.columns

    def prepare(self, rows: list[Row]) -> None:
        self.refs = validation.References.preload()
        wanted = {r["sku"] for r in rows if r["sku"]}
        wanted |= {r["variacao_de"] for r in rows if r["variacao_de"]}
        wanted |= {sku for r in rows for sku, _q in (r["componentes"] or [])}
        self.existing: dict[str, Product] = {}
        wanted_list = sorted(wanted)
        for start in range(0, len(wanted_list), 500):
            chunk = wanted_list[start : start + 500]
            for product in Product.objects.filter(company_id=self.company_id, sku__in=chunk).select_related("parent"):
                self.existing[product.sku] = product
        gtins = {validation.normalize_gtin(r["gtin"]) for r in rows if r["gtin"]} - {SEM_GTIN}
        self.gtin_owner: dict[str, str] = {}
        gtin_list = sorted(gtins)
        for start in range(0, len(gtin_list), 500):
            qs = Product.objects.filter(company_id=self.company_id, gtin__in=gtin_list[start : start + 500])
            self.gtin_owner.update(dict(qs.values_list("gtin", "sku")))
        self.in_file = {r["sku"]: r for r in rows if r["sku"]}
        self.parents_in_file = {r["variacao_de"] for r in rows if r["variacao_de"]}

    def _data(self, row: Row) -> dict:
        data = {FIELDS[c]: v for c, v in row.values.items() if c in FIELDS and v is not None}
        return validation.normalize(data)

    def check(self, row: Row) -> None:
        data = self._data(row)
        sku = data.get("sku")
        existing = self.existing.get(sku)
        if existing is None:
            for column in ("nome", "ncm"):
                if not row[column]:
                    row.error(column, _("Required for a new product."))
            data.setdefault("product_type", ProductType.GOODS)
        elif "product_type" in data and data["product_type"] != existing.product_type:
            row.error("tipo", _("The type of an existing product cannot change."))
        checked = dict(data)
        if existing is not None and ("ncm" in data or "cest" in data):
            checked.setdefault("ncm", existing.ncm_id)
            checked.setdefault("cest", existing.cest_id)
        for problem in validation.product_problems(checked, self.refs):
            row.error(COLUMN_OF.get(problem["field"], problem["field"]), problem["message"])
        gtin = data.get("gtin")
        if gtin and gtin != SEM_GTIN and self.gtin_owner.get(gtin, sku) != sku:
            row.error(
                "gtin",
                _("GTIN %(gtin)s is already used by product %(sku)s.") % {"gtin": gtin, "sku": self.gtin_owner[gtin]},
            )
        product_type = data.get("product_type") or (existing.product_type if existing else ProductType.GOODS)
        self._check_parent(row, existing, product_type)
        self._check_components(row, existing, product_type)

    def _check_parent(self, row: Row, existing: Product | None, product_type: str) -> None:
        parent_sku = row["variacao_de"]
        if not parent_sku:
            if row["atributos"] and not (existing and existing.parent_id):
                row.error("atributos", _("Attributes are for variations: fill in variacao_de too."))
            return
        if existing is not None and (existing.parent_id is None or existing.parent.sku != parent_sku):
            row.error("variacao_de", _("An existing product cannot become a variation of another one."))
            return
        if parent_sku == row["sku"]:
            row.error("variacao_de", _("A product cannot be a variation of itself."))
            return
        if not row["atributos"]:
            row.error("atributos", _("Give the values of this variation, such as Tamanho=P | Cor=Azul."))
        if product_type != ProductType.GOODS:
            row.error("tipo", _("Only goods can have variations."))
        parent = self.existing.get(parent_sku)
        parent_row = self.in_file.get(parent_sku)
        if parent is None and parent_row is None:
            row.error("variacao_de", _("Parent product %(sku)s not found.") % {"sku": parent_sku})
        elif (parent is not None and (parent.parent_id or parent.product_type != ProductType.GOODS)) or (
            parent_row is not None and (parent_row["variacao_de"] or (parent_row["tipo"] or "goods") != "goods")
        ):
            row.error("variacao_de", _("%(sku)s cannot have variations.") % {"sku": parent_sku})
        elif parent is not None and parent.is_variant_parent and row["atributos"]:
            names = set(parent.attributes)
            if names and set(row["atributos"]) != names:
                row.error(
                    "atributos",
                    _("Give one value for each attribute: %(names)s.") % {"names": ", ".join(parent.attributes)},
                )

    def _check_components(self, row: Row, existing: Product | None, product_type: str) -> None:
        parts = row["componentes"]
        if parts is None:
            if product_type == ProductType.KIT and existing is None:
                row.error("componentes", _("A kit needs at least one component."))
            return
        if product_type != ProductType.KIT:
            row.error("componentes", _("Only kits have components."))
            return
        seen = set()
        for sku, _quantity in parts:
            product = self.existing.get(sku)
            other = self.in_file.get(sku)
            if sku == row["sku"]:
                row.error("componentes", _("A kit cannot contain itself."))
            elif product is None and other is None:
                row.error("componentes", _("Component %(sku)s not found.") % {"sku": sku})
            elif (product is not None and product.product_type == ProductType.KIT) or (
                other is not None and other["tipo"] == ProductType.KIT
            ):
                row.error("componentes", _("%(sku)s is a kit; a kit cannot contain another kit.") % {"sku": sku})
            elif (product is not None and product.is_variant_parent) or sku in self.parents_in_file:
                row.error("componentes", _("%(sku)s has variations; choose one of its variations.") % {"sku": sku})
            if sku in seen:
                row.error("componentes", _("%(sku)s appears twice.") % {"sku": sku})
            seen.add(sku)

    def check_all(self, rows: list[Row]) -> None:
        first_sku: dict[str, int] = {}
        first_gtin: dict[str, int] = {}
        combos: dict[tuple, int] = {}
        for row in rows:
            sku = row["sku"]
            if sku in first_sku:
                row.error("sku", _("SKU %(sku)s repeats row %(row)d.") % {"sku": sku, "row": first_sku[sku]})
            else:
                first_sku[sku] = row.number
            gtin = validation.normalize_gtin(row["gtin"]) if row["gtin"] else SEM_GTIN
            if gtin != SEM_GTIN:
                if gtin in first_gtin:
                    row.error("gtin", _("GTIN %(gtin)s repeats row %(row)d.") % {"gtin": gtin, "row": first_gtin[gtin]})
                else:
                    first_gtin[gtin] = row.number
            if row["variacao_de"] and row["atributos"]:
                key = (row["variacao_de"], tuple(sorted(row["atributos"].items())))
                if key in combos:
                    row.error("atributos", _("This combination repeats row %(row)d.") % {"row": combos[key]})
                else:
                    combos[key] = row.number

    def ordered(self, rows: list[Row]) -> list[Row]:
        """Parents before their variations, components before their kits."""

        def rank(row: Row) -> int:
            if row["componentes"]:
                return 2
            return 1 if row["variacao_de"] else 0

        return sorted(rows, key=rank)

    def save(self, rows: list[Row]) -> int:
        new, changed = [], []
        for row in rows:
            data = self._data(row)
            existing = self.existing.get(data.get("sku"))
            if row["variacao_de"]:
                data["parent_sku"] = row["variacao_de"]
                data["attributes"] = row["atributos"]
            if row["componentes"] is not None:
                data["components"] = row["componentes"]
            if existing is None:
                data.setdefault("product_type", ProductType.GOODS)
                new.append(data)
            else:
                data.pop("attributes", None)
                changed.append((existing, data))
        return services.save_imported_products(new, changed, actor=self.actor, company_id=self.company_id)


class ProductExporter(Exporter):
    name = "products"
    label = gettext_lazy("Products")
    permission = "catalog.view"
    headers = [c.name for c in COLUMNS]

    def queryset(self):
        return (
            Product.objects.filter(company_id=self.company_id)
            .annotate(parent_sku=F("parent__sku"))
            .prefetch_related("components__component")
            .order_by("id")
        )

    def rows(self):
        for p in self.queryset().iterator(chunk_size=2000):
            components = " | ".join(f"{c.component.sku}*{_plain(c.quantity)}" for c in p.components.all())
            attributes = " | ".join(f"{k}={v}" for k, v in p.attributes.items()) if p.parent_id else ""
            yield [
                p.sku,
                p.name,
                p.description,
                _TYPE_NAMES.get(p.product_type, p.product_type),
                p.gtin,
                p.ncm_id,
                p.cest_id or "",
                p.origin,
                p.unit,
                p.tax_unit,
                p.purchase_unit,
                p.purchase_factor,
                p.gross_weight,
                p.net_weight,
                p.height_cm,
                p.width_cm,
                p.length_cm,
                p.cost,
                p.price,
                p.minimum_stock,
                p.maximum_stock,
                p.category,
                p.is_active,
                p.parent_sku or "",
                attributes,
                components,
            ]


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text.replace(".", ",")


tabular.register_importer(ProductImporter)
tabular.register_exporter(ProductExporter)
