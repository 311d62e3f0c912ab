from django.urls import path

from therapists import views

app_name = "therapists"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.profile, name="profile"),
    path("clients/", views.clients, name="clients"),
    path("overview/", views.overview, name="overview"),
]
