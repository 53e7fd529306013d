"""Load the official CSV tables into the reference models, as an upsert.

Products, parties, companies and fiscal documents hold protected keys to these rows, and NCM, CEST
and CFOP change every year, so nothing is ever deleted: a code in the files is inserted or updated
(and active again); a code no longer in the files is kept for the documents that used it and marked
inactive, which refuses it for new ones.
"""

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

from retaguarda.core.text import fold

DATA = Path(__file__).resolve().parent / "data"
BATCH = 1000


def _rows(data: Path, name: str):
    with open(data / name, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _upsert(model, key: Callable, wanted: Iterable) -> dict[str, int]:
    """Bring `model` to the `wanted` rows (unsaved instances), matched by `key(row)`."""
    columns = [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "is_active"]
    fields = [f.attname for f in columns]  # compared without fetching related rows
    retire = _retires(model)
    current = {key(row): row for row in model.objects.all()}
    new, changed, seen = [], [], set()
    for row in wanted:
        k = key(row)
        seen.add(k)
        old = current.get(k)
        if old is None:
            new.append(row)
            continue
        differs = [f for f in fields if getattr(old, f) != getattr(row, f)]
        if differs or (retire and not old.is_active):
            for f in fields:
                setattr(old, f, getattr(row, f))
            if retire:
                old.is_active = True
            changed.append(old)
    model.objects.bulk_create(new, batch_size=BATCH)
    names = [f.name for f in columns] + (["is_active"] if retire else [])
    model.objects.bulk_update(changed, names, batch_size=BATCH)
    # Retired: kept for the rows that point at them. (States never retire; a table without is_active
    # keeps a vanished row as it is.)
    gone = [row.pk for k, row in current.items() if k not in seen and retire and row.is_active]
    for start in range(0, len(gone), BATCH):
        model.objects.filter(pk__in=gone[start : start + BATCH]).update(is_active=False)
    active = model.objects.filter(is_active=True) if retire else model.objects.all()
    return {"added": len(new), "changed": len(changed), "retired": len(gone), "active": active.count()}


def load(apps=None, data: Path = DATA) -> dict[str, dict[str, int]]:
    """Bring every reference table to the files in `data`; per table, how many rows were added,
    changed and retired, and how many are active now."""
    if apps is None:
        from django.apps import apps
    get = lambda name: apps.get_model("br_tables", name)  # noqa: E731
    State, Municipality, Ncm, Cest, Cfop, TaxCode, Bank = (
        get(n) for n in ("State", "Municipality", "Ncm", "Cest", "Cfop", "TaxCode", "Bank")
    )
    by_pk = lambda row: row.pk  # noqa: E731
    report = {}
    report["State"] = _upsert(
        State,
        by_pk,
        (
            State(code=r["codigo_uf"], abbreviation=r["sigla"], name=r["nome"], region=r["regiao_nome"])
            for r in _rows(data, "ibge_ufs.csv")
        ),
    )
    report["Municipality"] = _upsert(
        Municipality,
        by_pk,
        (
            Municipality(
                code=r["codigo_ibge"],
                name=r["nome"],
                search_name=fold(r["nome"]),
                state_id=r["codigo_uf"],
                uf=r["uf"],
                is_capital=r["capital"] == "1",
                siafi_code=r["codigo_siafi"],
            )
            for r in _rows(data, "ibge_municipios.csv")
        ),
    )
    report["Ncm"] = _upsert(
        Ncm,
        by_pk,
        (
            Ncm(
                code=r["codigo"],
                description=r["descricao"],
                full_description=r["descricao_completa"],
                search_text=fold(r["codigo"] + " " + r["descricao_completa"]),
                chapter=r["capitulo"],
            )
            for r in _rows(data, "ncm.csv")
        ),
    )
    report["Cest"] = _upsert(
        Cest,
        by_pk,
        (
            Cest(
                code=r["cest"],
                segment=r["segmento"],
                segment_name=r["segmento_nome"],
                description=r["descricao"],
                ncm_prefixes=r["ncms"],
            )
            for r in _rows(data, "cest.csv")
        ),
    )
    report["Cfop"] = _upsert(
        Cfop,
        by_pk,
        (
            Cfop(
                code=r["codigo"],
                description=r["descricao"],
                direction=r["tipo"],
                scope=r["abrangencia"],
                usable_in_nfe=r["ind_nfe"] == "1",
                is_return=r["ind_devol"] == "1",
            )
            for r in _rows(data, "cfop.csv")
        ),
    )
    codes = []
    for kind, file, group in (
        ("icms", "cst_icms.csv", "grupos_nfe"),
        ("csosn", "csosn.csv", "grupo_nfe"),
        ("ipi", "cst_ipi.csv", "grupo_nfe"),
        ("pis_cofins", "cst_pis_cofins.csv", "grupo_nfe_pis"),
        ("ibs_cbs", "cst_ibs_cbs.csv", None),
        ("origin", "cst_icms_origem.csv", None),
    ):
        codes += [
            TaxCode(
                kind=kind, code=r["codigo"], description=r["descricao"], nfe_group=r.get(group, "") if group else ""
            )
            for r in _rows(data, file)
        ]
    report["TaxCode"] = _upsert(TaxCode, lambda row: (row.kind, row.code), codes)
    report["Bank"] = _upsert(
        Bank,
        by_pk,
        (
            Bank(compe=r["compe"], ispb=r["ispb"], short_name=r["nome_reduzido"], name=r["nome"])
            for r in _rows(data, "bancos.csv")
        ),
    )
    return report


def _retires(model) -> bool:
    return any(f.name == "is_active" for f in model._meta.concrete_fields)
