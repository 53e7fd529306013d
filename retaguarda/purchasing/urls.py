from django.urls import path

from retaguarda.purchasing import views

app_name = "purchasing"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("pedidos/novo/", views.order_new, name="order_new"),
    path("pedidos/<int:order_id>/", views.order_detail, name="order"),
    path("pedidos/<int:order_id>/pdf/", views.order_pdf, name="order_pdf"),
    path("pedidos/<int:order_id>/<str:action>/", views.order_action, name="order_action"),
    path("solicitacoes/", views.requests, name="requests"),
    path("solicitacoes/nova/", views.request_new, name="request_new"),
    path("solicitacoes/<int:request_id>/", views.request_detail, name="request"),
    path("solicitacoes/<int:request_id>/<str:action>/", views.request_action, name="request_action"),
    path("entradas/", views.receipts, name="receipts"),
    path("entradas/<int:receipt_id>/", views.receipt_detail, name="receipt"),
    path("entradas/<int:receipt_id>/<str:action>/", views.receipt_action, name="receipt_action"),
    path("sugestoes/", views.suggestions, name="suggestions"),
    path("atrasos/", views.late, name="late"),
    path("fornecedores/", views.suppliers_performance, name="performance"),
    path("cfop/", views.cfop_map, name="cfop_map"),
    path("fornecedores/<int:party_id>/", views.supplier_performance, name="supplier_performance"),
    path("nfe/", views.nfe_imports, name="nfe_imports"),
    path("nfe/<int:import_id>/", views.nfe_import, name="nfe_import"),
]
