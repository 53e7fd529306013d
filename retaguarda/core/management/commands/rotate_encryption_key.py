"""`retaguarda rotate_encryption_key`: a new encryption key for stored secrets (certificates, passwords,
credentials), every stored secret re-encrypted with it in one transaction. See docs/SECRETS.md."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from retaguarda.core import secrets
from retaguarda.core.errors import DomainError


class Command(BaseCommand):
    help = "Generate a new encryption key, re-encrypt every stored secret with it, optionally drop the old keys."

    def add_arguments(self, parser):
        parser.add_argument(
            "--drop-old", action="store_true", help="remove the old keys from the key file once nothing needs them"
        )
        parser.add_argument(
            "--reencrypt-only",
            action="store_true",
            help=f"only re-encrypt with the first key already configured (keys from {secrets.ENV_KEYS})",
        )

    def handle(self, *args, drop_old=False, reencrypt_only=False, **options):
        try:
            if reencrypt_only:
                count = secrets.reencrypt_stored()
                first = secrets.fingerprint(secrets.configured_keys()[0])
            else:
                first, count = secrets.rotate_key(drop_old=drop_old)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)s stored secrets now encrypted with key %(key)s.") % {"count": count, "key": first}
            )
        )
