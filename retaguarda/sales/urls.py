from django.urls import path

from retaguarda.sales import views

app_name = "sales"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("novo/", views.order_new, name="order_new"),
    path("<int:order_id>/", views.order_detail, name="order"),
    path("<int:order_id>/devolucao/", views.order_return, name="order_return"),
    path("<int:order_id>/itens/", views.order_lines, name="order_lines"),
    path("<int:order_id>/<str:action>/", views.order_action, name="order_action"),
    path("orcamentos/", views.quotes, name="quotes"),
    path("orcamentos/novo/", views.quote_new, name="quote_new"),
    path("orcamentos/<int:quote_id>/", views.quote_detail, name="quote"),
    path("orcamentos/<int:quote_id>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("orcamentos/<int:quote_id>/<str:action>/", views.quote_action, name="quote_action"),
    path("metas/", views.goals, name="goals"),
    path("comissoes/", views.commissions, name="commissions"),
    path("comissoes/regras/", views.commission_settings, name="commission_settings"),
    path("vendedores/", views.salespeople, name="salespeople"),
    path("canais/", views.channels, name="channels"),
    path("canais/<int:channel_id>/", views.channel_edit, name="channel_edit"),
]
