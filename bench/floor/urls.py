from django.urls import path

from bench.floor import views

urlpatterns = [
    path("floor/ping", views.ping),
    path("floor/orders", views.order),
    path("floor/reservations", views.reserve),
]
