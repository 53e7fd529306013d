from django.urls import path

from retaguarda.inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.balances, name="balances"),
    path("saldos-em/", views.balances_at, name="balances_at"),
    path("movimentacoes/", views.moves, name="moves"),
    path("movimentacoes/nova/", views.move_new, name="move_new"),
    path("transferencias/", views.transfers, name="transfers"),
    path("transferencias/nova/", views.transfer_new, name="transfer_new"),
    path("transferencias/<int:transfer_id>/", views.transfer_detail, name="transfer"),
    path("transferencias/<int:transfer_id>/<str:action>/", views.transfer_action, name="transfer_action"),
    path("balancos/", views.counts, name="counts"),
    path("balancos/novo/", views.count_new, name="count_new"),
    path("balancos/<int:count_id>/", views.count_detail, name="count"),
    path("balancos/<int:count_id>/<str:action>/", views.count_action, name="count_action"),
    path("depositos/", views.warehouses, name="warehouses"),
    path("depositos/<int:warehouse_id>/", views.warehouse_edit, name="warehouse_edit"),
    path("abaixo-do-minimo/", views.below_minimum, name="below_minimum"),
    path("valorizacao/", views.valuation, name="valuation"),
    path("produtos/<int:product_id>/kardex/", views.kardex, name="kardex"),
]
