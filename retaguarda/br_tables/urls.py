from django.urls import path

from retaguarda.br_tables import views

app_name = "br_tables"
urlpatterns = [
    path("municipios/", views.municipality_search, name="municipality_search"),
    path("municipios/escolher/", views.municipality_pick, name="municipality_pick"),
    path("ncm/", views.ncm_search, name="ncm_search"),
    path("ncm/escolher/", views.ncm_pick, name="ncm_pick"),
]
