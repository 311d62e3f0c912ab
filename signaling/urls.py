from django.urls import path

from signaling import views

app_name = "signaling"

urlpatterns = [
    path("tech-check/", views.tech_check, name="tech_check"),
    path("tech-check/offer/", views.tech_check_offer, name="tech_check_offer"),
    path("tech-check/close/", views.tech_check_close, name="tech_check_close"),
    path("<str:room_id>/", views.room, name="room"),
]
