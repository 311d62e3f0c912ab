from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("mine/", views.my_sessions, name="my_sessions"),
    path("calendar/", views.calendar, name="calendar"),
]
