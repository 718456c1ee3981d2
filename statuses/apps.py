from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusesConfig(AppConfig):
    """The life of a granted status: terms, yearly duties, deadlines, renewal, expiry."""

    name = "statuses"
    label = "statuses"
    verbose_name = _("Statuses and yearly duties")

    def ready(self):
        from applications import selectors as wf_selectors
        from applications import status_port
        from documents.selectors import case_access_register
        from documents.services import case_signed_register
        from programmes import access

        from . import council, paper, selectors
        from .lifecycle import StatusLifecycle
        from .models import (
            Agreement,
            Duty,
            NetworkReport,
            ProblemNotice,
            Submission,
            TerminationCase,
        )

        # The application flow grants and renews statuses through this port.
        status_port.register(StatusLifecycle())

        # What the council considers: each row is an agenda subject decided by its service.
        council.register_subjects()

        # Documents of these rows (plans and reports, the council's extracts) are seen by
        # whoever sees the status: its holder's coordinators and staff who see every case.
        # (documents knows nothing of statuses.)
        def via_status(status_of):
            return lambda user, obj: (
                selectors.status_visible_qs(user).filter(pk=status_of(obj)).exists()
            )

        case_access_register(Submission, via_status(lambda s: s.duty.status_id))
        case_access_register(Duty, via_status(lambda d: d.status_id))
        case_access_register(ProblemNotice, via_status(lambda n: n.status_id))
        case_access_register(TerminationCase, via_status(lambda c: c.status_id))
        case_access_register(
            NetworkReport,
            lambda user, report: (
                access.may(user, access.SEE_ALL, report.program_id)
                or wf_selectors.sits_for_program(user, report.program_id)
            ),
        )
        case_access_register(Agreement, paper.agreement_can_view)
        # The programme's own documents (its orders, its Положение): whoever serves it.
        from programmes.models import Program

        case_access_register(
            Program, lambda user, program: access.may(user, access.SEE_ALL, program.pk)
        )
        case_signed_register(
            Agreement, paper.agreement_document_signed, lock_case=paper.agreement_lock_for_signing
        )
