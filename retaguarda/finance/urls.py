from django.urls import path
from django.views.generic import RedirectView

from retaguarda.finance import views

app_name = "finance"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="finance:home"), name="index"),
    path("resumo/", views.home, name="home"),
    path("contas-a-receber/", views.title_list, {"kind": "receivable"}, name="titles"),
    path("contas-a-pagar/", views.title_list, {"kind": "payable"}, name="payables"),
    path("titulos/novo/", views.title_new, name="title_new"),
    path("titulos/<int:title_id>/", views.title_detail, name="title"),
    path("titulos/<int:title_id>/baixar/", views.title_settle, name="title_settle"),
    path("titulos/<int:title_id>/cancelar/", views.title_cancel, name="title_cancel"),
    path("titulos/<int:title_id>/anotacoes/", views.title_note, name="title_note"),
    path("baixas/<int:settlement_id>/estornar/", views.settlement_reverse, name="settlement_reverse"),
    path("contas/", views.account_list, name="accounts"),
    path("contas/<int:account_id>/", views.account_detail, name="account"),
    path("lancamentos/novo/", views.entry_new, name="entry_new"),
    path("transferencias/", views.transfer_list, name="transfers"),
    path("categorias/", views.category_list, name="categories"),
    path("categorias/<int:category_id>/", views.category_edit, name="category_edit"),
    path("recorrentes/", views.recurring_list, name="recurring"),
    path("recorrentes/<int:bill_id>/ativar/", views.recurring_toggle, name="recurring_toggle"),
    path("fluxo-de-caixa/", views.cashflow, name="cashflow"),
    path("dre/", views.dre, name="dre"),
    path("dre/detalhe/", views.dre_detail, name="dre_detail"),
    path("inadimplencia/", views.aging, name="aging"),
    path("cobranca/", views.collections, name="collections"),
    path("extratos/", views.statement_list, name="statements"),
    path("conciliacao/", views.reconciliation, name="reconciliation"),
    path("conciliacao/<int:line_id>/", views.line_detail, name="line"),
    path("conciliacao/<int:line_id>/<str:action>/", views.line_action, name="line_action"),
    path("cadastros/<int:party_id>/extrato/", views.party_statement, name="party_statement"),
]
