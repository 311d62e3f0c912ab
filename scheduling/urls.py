from django.urls import path

from scheduling.views import booking, calendar, changes, sessions

app_name = "scheduling"

urlpatterns = [
    path("mine/", sessions.my_sessions, name="my_sessions"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("windows/", sessions.windows, name="windows"),
    path("book/<int:therapist_id>/", booking.book, name="book"),
    path("book/<int:therapist_id>/hold/", booking.hold, name="hold"),
    path("holds/<int:pk>/", booking.confirm, name="confirm"),
    path("holds/<int:pk>/series/", booking.series, name="series"),
    path("sessions/<int:pk>/", booking.booking_detail, name="booking"),
    path("sessions/<int:pk>/calendar.ics", booking.booking_ics, name="booking_ics"),
    path("sessions/<int:pk>/cancel/", changes.cancel, name="cancel"),
    path("sessions/<int:pk>/reschedule/", changes.reschedule, name="reschedule"),
    path("reschedule/<str:token>/", changes.reschedule_link, name="reschedule_link"),
    path("feed/reset/", sessions.feed_reset, name="feed_reset"),
    path("feed/<str:token>.ics", sessions.feed, name="feed"),
]
