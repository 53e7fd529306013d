from django.urls import path

from retaguarda.access import views

app_name = "access"
urlpatterns = [
    path("entrar/", views.login_view, name="login"),
    path("sair/", views.logout_view, name="logout"),
    path("conta/senha/", views.password_change, name="password_change"),
    path("conta/tokens/", views.tokens, name="tokens"),
    path("conta/tokens/<int:token_id>/revogar/", views.revoke_token, name="revoke_token"),
    path("conta/empresa/", views.switch_company, name="switch_company"),
    path("usuarios/", views.users, name="users"),
    path("usuarios/<int:user_id>/", views.user_edit, name="user_edit"),
]
