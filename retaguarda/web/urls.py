from django.urls import path

from retaguarda.web import imports, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("auditoria/", views.audit_log, name="audit_log"),
    path("importar/", imports.import_start, name="import"),
    path("importar/modelo/<slug:kind>/", imports.import_template, name="import_template"),
    path("importar/<int:job_id>/", imports.import_job, name="import_job"),
    path("importar/<int:job_id>/executar/", imports.import_run, name="import_run"),
    path("importar/<int:job_id>/linhas-validas/", imports.import_valid_rows, name="import_valid_rows"),
    path("importar/<int:job_id>/problemas.csv", imports.import_problem_rows, name="import_problem_rows"),
    path("exportar/<slug:kind>/", imports.export, name="export"),
    path("entregas-de-eventos/", views.outbox_failures, name="outbox"),
    path("entregas-de-eventos/<int:pk>/tentar-de-novo/", views.outbox_retry, name="outbox_retry"),
]
