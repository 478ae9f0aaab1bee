from django.contrib.auth import views as auth_views
from django.urls import path

from casacomuni.accounts import forms, views

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=forms.LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verifica/", views.otp, name="otp"),
    path("ente/", views.switch, name="switch"),
    path("profilo/", views.profile, name="profile"),
    path("profilo/token/<int:pk>/revoca/", views.revoke_token, name="revoke_token"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/dimenticata/", views.password_reset, name="password_reset"),
    path("password/dimenticata/inviata/", views.password_reset_sent, name="password_reset_sent"),
    path("password/nuova/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_reset_confirm"),
    path("operatori/adesione/", views.operator_join, name="operator_join"),
    path("operatori/richieste/", views.operator_requests, name="operator_requests"),
    path(
        "operatori/richieste/<int:pk>/<str:action>/",
        views.operator_request_decide,
        name="operator_request_decide",
    ),
    path("membri/", views.members, name="members"),
    path("membri/<int:pk>/rimuovi/", views.deactivate_member, name="deactivate_member"),
    path("enti/", views.organizations, name="organizations"),
    path("unioni/", views.unions, name="unions"),
    path("unioni/nuova/", views.union_edit, name="union_create"),
    path("unioni/<int:pk>/", views.union_edit, name="union_edit"),
    path("province/", views.province_admins, name="province_admins"),
]
