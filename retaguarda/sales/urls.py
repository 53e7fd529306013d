from django.urls import path

from retaguarda.sales import views

app_name = "sales"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("novo/", views.order_new, name="order_new"),
    path("<int:order_id>/", views.order_detail, name="order"),
    path("<int:order_id>/<str:action>/", views.order_action, name="order_action"),
    path("canais/", views.channels, name="channels"),
    path("canais/<int:channel_id>/", views.channel_edit, name="channel_edit"),
]
