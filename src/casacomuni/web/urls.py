from django.urls import path

from casacomuni.web import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
