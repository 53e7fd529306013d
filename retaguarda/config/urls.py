from django.urls import include, path

from retaguarda.config.api import api

handler400 = "retaguarda.web.views.error_400"
handler403 = "retaguarda.web.views.error_403"
handler404 = "retaguarda.web.views.error_404"
handler500 = "retaguarda.web.views.error_500"

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("retaguarda.access.urls")),
    path("", include("retaguarda.web.urls")),
    path("empresas/", include("retaguarda.companies.urls")),
    path("cadastros/", include("retaguarda.parties.urls")),
    path("produtos/", include("retaguarda.catalog.urls")),
    path("estoque/", include("retaguarda.inventory.urls")),
    path("financeiro/", include("retaguarda.finance.urls")),
    path("compras/", include("retaguarda.purchasing.urls")),
    path("fiscal/", include("retaguarda.fiscal.urls")),
    path("vendas/", include("retaguarda.sales.urls")),
    path("ocorrencias/", include("retaguarda.watch.urls")),
    path("tabelas/", include("retaguarda.br_tables.urls")),
]
