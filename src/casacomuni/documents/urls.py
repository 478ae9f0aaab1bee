from django.urls import path

from casacomuni.documents import views

app_name = "documents"
urlpatterns = [
    path("modelli/", views.templates, name="templates"),
    path("modelli/predefinito/", views.default_template, name="default_template"),
    path("modelli/<int:pk>/scarica/", views.template_download, name="template_download"),
    path("modelli/<int:pk>/anteprima/", views.template_preview, name="template_preview"),
]
