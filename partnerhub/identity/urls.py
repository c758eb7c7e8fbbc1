from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="identity/password_reset.html",
            email_template_name="identity/email/password_reset.txt",
            subject_template_name="identity/email/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="identity/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="identity/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="identity/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("switch-organisation/", views.switch_organisation, name="switch-organisation"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/pick/", views.organisation_pick, name="organisation-pick"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisation/", views.my_organisation, name="my-organisation"),
    path("members/", views.my_members, name="my-members"),
    path("organisations/<int:org_id>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:org_id>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<int:org_id>/members/", views.organisation_members, name="organisation-members"),
    path("organisations/<int:org_id>/members/<int:member_id>/role/", views.member_role, name="member-role"),
    path("organisations/<int:org_id>/members/<int:member_id>/remove/", views.member_remove, name="member-remove"),
    path("organisations/<int:org_id>/invitations/", views.invitation_create, name="invitation-create"),
    path(
        "organisations/<int:org_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:key>/", views.invitation_accept, name="invitation-accept"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
