"""End a programme by the authority's order: `manage.py liquidate_programme klin-mn --order 31-п
--date 30.06.2027 --by <username> [--reason "..."]`. The person named must hold the approving
role for the programme; the service refuses while applications are under review."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.errors import DocketError
from programmes.models import Program
from statuses import services


class Command(BaseCommand):
    help = "Liquidate a programme by an order: its statuses end, it accepts nothing more."

    def add_arguments(self, parser):
        parser.add_argument("code", help="The programme's code, e.g. klin-mn")
        parser.add_argument("--order", required=True, help="The order's number")
        parser.add_argument("--date", required=True, help="The order's date, дд.мм.гггг")
        parser.add_argument("--by", required=True, help="Who signed it (a username)")
        parser.add_argument("--reason", default="")

    def handle(self, *args, code, order, date, by, reason, **options):
        try:
            day = datetime.datetime.strptime(date, "%d.%m.%Y").date()
        except ValueError as exc:
            raise CommandError(f"--date: {date!r} is not дд.мм.гггг") from exc
        program = Program.objects.filter(code=code).first()
        user = get_user_model().objects.filter(username=by).first()
        if program is None or user is None:
            raise CommandError("No such programme or user.")
        try:
            services.program_liquidate(
                user=user, program_id=program.pk, order_number=order, order_date=day, reason=reason
            )
        except (DocketError, ValidationError) as exc:
            raise CommandError(getattr(exc, "message", None) or "; ".join(exc.messages)) from exc
        self.stdout.write(f"{program}: liquidated by order {order} of {date}.")
