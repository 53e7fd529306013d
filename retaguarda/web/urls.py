from django.urls import path

from retaguarda.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("auditoria/", views.audit_log, name="audit_log"),
    path("entregas-de-eventos/", views.outbox_failures, name="outbox"),
    path("entregas-de-eventos/<int:pk>/tentar-de-novo/", views.outbox_retry, name="outbox_retry"),
]
