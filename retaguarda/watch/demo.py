"""The demo company's routines, then one run of the rules over the demo data the other apps built: the
occurrences the demo shows are found by the rules (stock below its minimum, receivables gone overdue,
...), never inserted."""

from retaguarda.core.actor import Actor
from retaguarda.watch import services
from retaguarda.watch.models import Routine

ROUTINES = [
    (
        "Fechamento de caixa",
        "finance",
        "daily",
        {},
        "Contar o dinheiro do caixa\nConferir as vendas no cartão e PIX\nLançar sangrias e suprimentos",
    ),
    (
        "Contagem cíclica dos produtos A",
        "stock",
        "weekly",
        {"weekday": 0},
        "Contar os produtos da curva A\nLançar as diferenças no balanço",
    ),
    (
        "Exportar XML ao contador",
        "fiscal",
        "monthly",
        {"month_day": 5},
        "Gerar o arquivo do mês\nEnviar ao escritório de contabilidade",
    ),
    (
        "Revisão de preços dos fornecedores",
        "purchasing",
        "monthly",
        {"month_day": 10},
        "Comparar o último custo de cada fornecedor\nAtualizar as tabelas de preço",
    ),
]


def build(company, actor: Actor) -> int:
    """Create the routines once and run the watch; returns how many occurrences opened."""
    if not Routine.objects.filter(company=company).exists():
        for name, department, frequency, schedule, checklist in ROUTINES:
            services.save_routine(
                actor=actor, name=name, department=department, frequency=frequency, checklist=checklist, **schedule
            )
    summary = services.run_company(company.pk, actor=actor)
    return summary.opened
