from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("mine/", views.my_sessions, name="my_sessions"),
    path("calendar/", views.calendar, name="calendar"),
    path("windows/", views.windows, name="windows"),
    path("book/<int:therapist_id>/", views.book, name="book"),
    path("book/<int:therapist_id>/hold/", views.hold, name="hold"),
    path("holds/<int:pk>/", views.confirm, name="confirm"),
    path("holds/<int:pk>/series/", views.series, name="series"),
    path("sessions/<int:pk>/", views.booking_detail, name="booking"),
    path("sessions/<int:pk>/calendar.ics", views.booking_ics, name="booking_ics"),
    path("sessions/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("sessions/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("reschedule/<str:token>/", views.reschedule_link, name="reschedule_link"),
    path("feed/reset/", views.feed_reset, name="feed_reset"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
