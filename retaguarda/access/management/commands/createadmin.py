import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from retaguarda.access import services
from retaguarda.access.departments import ADMIN
from retaguarda.access.models import User
from retaguarda.companies.models import Company
from retaguarda.core.actor import Actor, Origin


class Command(BaseCommand):
    help = "Create an administrator (superuser in the Administração department) with access to every company."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            default=os.environ.get("RETAGUARDA_ADMIN_PASSWORD"),
            help="Defaults to $RETAGUARDA_ADMIN_PASSWORD, else asks.",
        )

    def handle(self, *args, username, email, password, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(_("The user %(username)s already exists.") % {"username": username})
        if not password:
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Repeat the password: ")):
                raise CommandError(_("The passwords do not match."))
        if len(password) < 8:
            raise CommandError(_("The password needs at least 8 characters."))
        user = services.create_user(
            username,
            password,
            actor=Actor(None, Origin.CLI),
            departments=[ADMIN],
            companies=list(Company.objects.all()),
            email=email,
            is_superuser=True,
        )
        self.stdout.write(self.style.SUCCESS(_("Administrator %(username)s created.") % {"username": user.username}))
