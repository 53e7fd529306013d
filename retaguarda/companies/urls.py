from django.urls import path

from retaguarda.companies import views

app_name = "companies"
urlpatterns = [
    path("", views.company_list, name="list"),
    path("nova/", views.company_create, name="create"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/editar/", views.company_edit, name="edit"),
    path("<int:pk>/desativar/", views.company_deactivate, name="deactivate"),
    path("<int:pk>/reativar/", views.company_reactivate, name="reactivate"),
]
