from django.urls import path

from casacomuni.agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("ical/nuovo/", views.feed_create, name="feed_create"),
    path("ical/revoca/", views.feed_revoke, name="feed_revoke"),
    path("ical/<str:token>.ics", views.feed_ics, name="feed"),
]
