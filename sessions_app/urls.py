from django.urls import path

from sessions_app.views import homework, notifications, partner, therapist

app_name = "sessions_app"

urlpatterns = [
    path("", partner.hub, name="hub"),
    path("<int:booking_id>/check-in/", partner.check_in, name="check_in"),
    path("<int:booking_id>/reflect/", partner.reflect, name="reflect"),
    path("<int:booking_id>/prepare/", therapist.prepare, name="prepare"),
    path("<int:booking_id>/wrap-up/", therapist.wrap_up, name="wrap_up"),
    path("<int:booking_id>/end/", therapist.end_session, name="end_session"),
    path("homework/", homework.homework_list, name="homework_list"),
    path("homework/<uuid:assignment_id>/", homework.homework_detail, name="homework_detail"),
    path(
        "homework/<uuid:assignment_id>/withdraw/",
        homework.homework_withdraw,
        name="homework_withdraw",
    ),
    path("journal/", partner.journal, name="journal"),
    path("journal/consent/", partner.journal_consent, name="journal_consent"),
    path("journal/<uuid:entry_id>/delete/", partner.journal_entry_delete, name="journal_delete"),
    path("goals/", partner.goals, name="goals"),
    path("goals/<uuid:goal_id>/", partner.goal_progress, name="goal_progress"),
    path("couples/<int:couple_id>/journal/", therapist.couple_journal, name="couple_journal"),
    path("couples/<int:couple_id>/goals/", therapist.couple_goal_add, name="couple_goal_add"),
    path("notifications/", notifications.notifications, name="notifications"),
    path(
        "notifications/<uuid:notification_id>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path("settings/reminders/", notifications.reminder_settings, name="reminder_settings"),
]
