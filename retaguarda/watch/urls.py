from django.urls import path

from retaguarda.watch import views

app_name = "watch"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("contador/", views.badge, name="badge"),
    path("atribuir/", views.bulk_assign, name="bulk_assign"),
    path("<int:occurrence_id>/", views.occurrence_detail, name="occurrence"),
    path("<int:occurrence_id>/verificar/", views.occurrence_recheck, name="recheck"),
    path("<int:occurrence_id>/passos/<int:number>/", views.step_check, name="step"),
    path("<int:occurrence_id>/<str:action>/", views.occurrence_action, name="action"),
    path("rotinas/", views.routine_list, name="routines"),
    path("rotinas/nova/", views.routine_edit, name="routine_new"),
    path("rotinas/<int:routine_id>/", views.routine_edit, name="routine"),
    path("regras/", views.rule_list, name="rules"),
    path("regras/<str:code>/", views.rule_settings, name="rule_settings"),
    path("executar/", views.run_now, name="run"),
    path("departamentos/", views.departments, name="departments"),
    path("departamentos/<str:code>/", views.department_manager, name="department_manager"),
]
