"""Logging filters: keep the console for what needs attention."""

from __future__ import annotations

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """A 403 is an answer, not a failure: log its one line ("Forbidden (…): /path") without the traceback.

    Django's request handler logs a refused request at WARNING with the ``PermissionDenied`` traceback
    attached; on the console that reads like a crash. Other statuses pass unchanged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
