from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/start/", views.thread_start, name="thread_start"),
    path("messages/<uuid:thread_id>/", views.thread, name="thread"),
]
