from django.urls import path

from casacomuni.inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("lette/", views.read_all, name="read_all"),
    path("preferenze/", views.preferences, name="preferences"),
]
