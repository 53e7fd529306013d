from django.urls import path

from retaguarda.fiscal import views

app_name = "fiscal"
urlpatterns = [
    path("", views.documents, name="documents"),
    path("notas/<int:document_id>/", views.document_detail, name="document"),
    path("notas/<int:document_id>/xml/", views.document_xml, name="document_xml"),
    path("notas/<int:document_id>/danfe/", views.document_danfe, name="document_danfe"),
    path("notas/<int:document_id>/cce/<int:sequence>/dacce/", views.correction_dacce, name="correction_dacce"),
    path("notas/<int:document_id>/<str:action>/", views.document_action, name="document_action"),
    path("regras/", views.tax_rules, name="tax_rules"),
    path("operacoes/", views.operations, name="operations"),
    path("configuracoes/", views.settings_page, name="settings"),
    path("configuracoes/certificado/", views.upload_certificate, name="certificate"),
    path("configuracoes/csc/", views.save_csc, name="csc"),
    path("configuracoes/contingencia/", views.switch_contingency, name="contingency"),
    path("arquivo/", views.export_archive, name="export"),
]
