from django.urls import path

from accounts.views import auth, couples, language, profile, security, your_data

app_name = "accounts"

urlpatterns = [
    path("signup/", auth.signup, name="signup"),
    path("signup/sent/", auth.signup_sent, name="signup_sent"),
    path("signup/confirm/<str:token>/", auth.signup_confirm_view, name="signup_confirm"),
    # Sign-in, 2FA and session security
    path("login/", security.login_view, name="login"),
    path("login/verify/", security.login_verify, name="login_verify"),
    path("logout/", security.logout_view, name="logout"),
    path("account/security/", security.security, name="security"),
    path("account/security/2fa/setup/", security.twofactor_setup, name="twofactor_setup"),
    path("account/security/2fa/disable/", security.twofactor_disable, name="twofactor_disable"),
    path(
        "account/security/recovery-codes/",
        security.recovery_codes_new,
        name="recovery_codes_new",
    ),
    path("account/security/password/", security.password_change, name="password_change"),
    path("account/data/", your_data.your_data, name="your_data"),
    path("account/data/export/", your_data.export_download, name="data_export"),
    path("account/delete/", your_data.account_delete_view, name="account_delete"),
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
    path("language/", language.set_language, name="set_language"),
    path("couple/", couples.couple, name="couple"),
    path("couple/start/", couples.couple_start, name="couple_start"),
    path("couple/leave/", couples.couple_leave_view, name="couple_leave"),
    path("invite/<str:token>/", couples.invitation, name="invitation"),
    path("invite/<str:token>/switch/", couples.invitation_switch_account, name="invitation_switch"),
]
