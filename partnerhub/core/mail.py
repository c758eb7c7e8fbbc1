"""A console e-mail backend people can read: headers decoded, the text body as UTF-8.

Django's console backend prints the MIME source, where Russian text arrives quoted-printable or
base64 (``=D0=97=D0=B4=D1=80...``). This one prints what the recipient would read.
"""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class EmailBackend(ConsoleBackend):
    def write_message(self, message) -> None:
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            *([f"Cc: {', '.join(message.cc)}"] if message.cc else []),
            f"Subject: {message.subject}",
            "",
            str(message.body),
        ]
        for alternative in getattr(message, "alternatives", []) or []:
            content = alternative[0] if isinstance(alternative, tuple) else getattr(alternative, "content", "")
            mimetype = alternative[1] if isinstance(alternative, tuple) else getattr(alternative, "mimetype", "")
            lines += ["", f"[alternative {mimetype}]", str(content)]
        for attachment in message.attachments:
            name = attachment[0] if isinstance(attachment, tuple) else getattr(attachment, "filename", "")
            lines.append(f"[attachment: {name}]")
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
