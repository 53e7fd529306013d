from django.urls import path

from retaguarda.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("novo/", views.product_create, name="product_create"),
    path("novo/variacoes/", views.variant_preview, name="variant_preview"),
    path("<int:product_id>/", views.product_detail, name="product_detail"),
    path("<int:product_id>/editar/", views.product_edit, name="product_edit"),
    path("<int:product_id>/situacao/", views.product_set_active, name="product_set_active"),
    path("<int:product_id>/variacoes/", views.variant_add, name="variant_add"),
    path("<int:product_id>/variacoes/<int:variant_id>/remover/", views.variant_remove, name="variant_remove"),
    path("<int:product_id>/componentes/", views.kit_components, name="kit_components"),
    path("tabelas-de-preco/", views.pricelist_list, name="pricelist_list"),
    path("tabelas-de-preco/nova/", views.pricelist_create, name="pricelist_create"),
    path("tabelas-de-preco/<int:price_list_id>/", views.pricelist_detail, name="pricelist_detail"),
    path("tabelas-de-preco/<int:price_list_id>/editar/", views.pricelist_edit, name="pricelist_edit"),
]
