from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        # The audit log's checkpoints are printed and signed here (audit imports no app).
        from audit.services import checkpoint_paper_register

        from .audit_paper import checkpoint_paper_issue, checkpoint_paper_problems

        checkpoint_paper_register(issue=checkpoint_paper_issue, verify=checkpoint_paper_problems)
