from django.urls import path

from retaguarda.parties import views

app_name = "parties"
urlpatterns = [
    path("", views.party_list, name="list"),
    path("novo/", views.party_create, name="create"),
    path("consulta/cep/", views.lookup_cep, name="lookup_cep"),
    path("consulta/cnpj/", views.lookup_cnpj, name="lookup_cnpj"),
    path("<int:pk>/", views.party_detail, name="detail"),
    path("<int:pk>/editar/", views.party_edit, name="edit"),
    path("<int:pk>/desativar/", views.party_deactivate, name="deactivate"),
    path("<int:pk>/reativar/", views.party_reactivate, name="reactivate"),
    path("<int:pk>/enderecos/novo/", views.address_form, name="address_create"),
    path("<int:pk>/enderecos/<int:address_id>/", views.address_form, name="address_edit"),
    path("<int:pk>/enderecos/<int:address_id>/remover/", views.address_remove, name="address_remove"),
    path("<int:pk>/contatos/novo/", views.contact_form, name="contact_create"),
    path("<int:pk>/contatos/<int:contact_id>/", views.contact_form, name="contact_edit"),
    path("<int:pk>/contatos/<int:contact_id>/remover/", views.contact_remove, name="contact_remove"),
]
