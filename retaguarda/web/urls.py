from django.urls import path

from retaguarda.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("auditoria/", views.audit_log, name="audit_log"),
]
