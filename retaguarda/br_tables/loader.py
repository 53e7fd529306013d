"""Load the official CSV tables into the read-only reference models (idempotent: replaces them)."""

import csv
from pathlib import Path

from retaguarda.core.text import fold

DATA = Path(__file__).resolve().parent / "data"


def _rows(name: str):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def load(apps=None) -> dict[str, int]:
    """Replace every reference table with the files' contents; returns row counts."""
    if apps is None:
        from django.apps import apps
    get = lambda name: apps.get_model("br_tables", name)  # noqa: E731
    State, Municipality, Ncm, Cest, Cfop, TaxCode, Bank = (
        get(n) for n in ("State", "Municipality", "Ncm", "Cest", "Cfop", "TaxCode", "Bank")
    )
    for model in (Municipality, State, Ncm, Cest, Cfop, TaxCode, Bank):
        model.objects.all().delete()

    State.objects.bulk_create(
        State(code=r["codigo_uf"], abbreviation=r["sigla"], name=r["nome"], region=r["regiao_nome"])
        for r in _rows("ibge_ufs.csv")
    )
    Municipality.objects.bulk_create(
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
            for r in _rows("ibge_municipios.csv")
        ),
        batch_size=1000,
    )
    Ncm.objects.bulk_create(
        (
            Ncm(
                code=r["codigo"],
                description=r["descricao"],
                full_description=r["descricao_completa"],
                search_text=fold(r["codigo"] + " " + r["descricao_completa"]),
                chapter=r["capitulo"],
            )
            for r in _rows("ncm.csv")
        ),
        batch_size=1000,
    )
    Cest.objects.bulk_create(
        Cest(
            code=r["cest"],
            segment=r["segmento"],
            segment_name=r["segmento_nome"],
            description=r["descricao"],
            ncm_prefixes=r["ncms"],
        )
        for r in _rows("cest.csv")
    )
    Cfop.objects.bulk_create(
        Cfop(
            code=r["codigo"],
            description=r["descricao"],
            direction=r["tipo"],
            scope=r["abrangencia"],
            usable_in_nfe=r["ind_nfe"] == "1",
            is_return=r["ind_devol"] == "1",
        )
        for r in _rows("cfop.csv")
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
            for r in _rows(file)
        ]
    TaxCode.objects.bulk_create(codes)
    Bank.objects.bulk_create(
        Bank(compe=r["compe"], ispb=r["ispb"], short_name=r["nome_reduzido"], name=r["nome"])
        for r in _rows("bancos.csv")
    )
    return {m.__name__: m.objects.count() for m in (State, Municipality, Ncm, Cest, Cfop, TaxCode, Bank)}
