import pytest

from partnerhub.core.models import Notification
from partnerhub.core.notify import notify

pytestmark = pytest.mark.django_db


def test_notifications_are_personal_and_can_be_read(world, api, ui, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        [n] = notify(users=[world.a_admin], organisation=world.partner_a, kind="test", title="Deal approved",
                     url="/tier/")  # fmt: skip
    assert mail.outbox[-1].to == [world.a_admin.email] and "/tier/" in mail.outbox[-1].body
    assert api(world.b_admin).post(f"/notifications/{n.pk}/read").status_code == 404
    assert api(world.b_admin).get("/notifications").json()["count"] == 0
    assert api(world.a_admin).get("/notifications?unread=true").json()["count"] == 1
    html = ui(world.a_admin).get("/").content.decode()
    assert 'class="count">1<' in html
    r = ui(world.a_admin).get(f"/notifications/{n.pk}/")
    assert r.status_code == 302 and r["Location"] == "/tier/"
    assert Notification.objects.get(pk=n.pk).read_at is not None
    assert ui(world.b_admin).get(f"/notifications/{n.pk}/").status_code == 404
