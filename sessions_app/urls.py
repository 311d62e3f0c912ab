from django.urls import include, path

app_name = "sessions_app"

urlpatterns: list = [
    # Privacy and security (issue 7): therapist notes and secure messaging.
    path("", include("sessions_app.notes_urls")),
    path("", include("sessions_app.messages_urls")),
]
