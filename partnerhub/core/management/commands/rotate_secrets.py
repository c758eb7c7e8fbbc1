import logging

from django.core.management.base import BaseCommand, CommandError

from partnerhub.core.secrets import SecretDecryptionError, encrypted_fields, rotate_model_secrets

logger = logging.getLogger("partnerhub.core.secrets")


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (EncryptedTextField) with the first key of "
        "PARTNERHUB_SECRET_KEY_ENCRYPTION. Put the new key first, run this, then drop the old key."
    )

    def handle(self, *args, **options):
        fields = encrypted_fields()
        try:
            count = rotate_model_secrets(fields)
        except SecretDecryptionError as exc:
            raise CommandError(str(exc)) from exc
        names = ", ".join(f"{model._meta.label}.{name}" for model, name in fields) or "none"
        logger.info("secrets rotated: %s values in %s", count, names)
        self.stdout.write(f"Re-encrypted {count} stored secret(s) in: {names}.")
