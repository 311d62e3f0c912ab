from django.urls import path

from accounts.views import auth, couples, dashboard, profile

app_name = "accounts"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("signup/", auth.signup, name="signup"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("profile/", profile.profile, name="profile"),
    path("couple/", couples.couple, name="couple"),
    path("couple/start/", couples.couple_start, name="couple_start"),
    path("couple/leave/", couples.couple_leave_view, name="couple_leave"),
    path("invite/<str:token>/", couples.invitation, name="invitation"),
    path("invite/<str:token>/switch/", couples.invitation_switch_account, name="invitation_switch"),
]
