"""The audit log shows who acted, each changed field and each value as people read them, in their language."""

from __future__ import annotations

from django.utils import translation

from partnerhub.core.audit_labels import labelled_changes
from partnerhub.core.models import AuditEntry


def entry(object_type: str, before: dict | None, after: dict, actor_label: str = "system") -> AuditEntry:
    return AuditEntry(action="x.changed", object_type=object_type, object_id="1", object_repr="x",
                      actor_label=actor_label, before=before, after=after)  # fmt: skip


def test_who_acted_when_nobody_was_signed_in_is_named():
    with translation.override("ru"):
        assert entry("deals.claim", None, {}).actor_shown == "система"
        assert entry("deals.claim", None, {}, "job").actor_shown == "фоновое задание"
        assert entry("deals.claim", None, {}, "anna@alpha.demo").actor_shown == "anna@alpha.demo"


def test_recorded_keys_flags_moments_and_amounts_read_as_words_and_local_figures():
    after = {"passed": True, "file_kind": "pdf", "token_changed": False, "at": "2026-12-07T04:00:00+03:00"}
    e = entry("marketplace.vendorapplication", None, after)
    claim = entry("deals.claim", {"amount": "1000.00"}, {"amount": "22801.50"})
    with translation.override("ru"):
        shown = [(str(label), str(after)) for label, _before, after in labelled_changes(e)]
        assert shown == [("Сдан", "да"), ("Тип файла", "pdf"), ("Токен изменён", "нет"), ("Когда", "07.12.2026 04:00")]
        ((_label, before, after),) = labelled_changes(claim)
        assert (before, after) == ("1\xa0000,00", "22\xa0801,50")
