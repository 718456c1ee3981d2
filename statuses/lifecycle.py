"""The statuses app's side of `applications.status_port`: what the application flow may ask."""

from . import selectors, services


class StatusLifecycle:
    def grant(self, *, application):
        return services.status_grant(application=application)

    def live_status(self, *, program, organisation):
        return selectors.live_status(program=program, organisation=organisation)

    def renewal_refusal(self, status, *, today):
        return services.renewal_refusal(status, today=today)

    def renewal_submitted(self, *, application, user, today):
        services.renewal_submitted(application=application, user=user, today=today)

    def renewal_refused(self, *, application, actor, today):
        services.renewal_refused(application=application, actor=actor, today=today)

    def renewal_grant_refusal(self, status, *, today):
        return services.renewal_grant_refusal(status, today=today)

    def renewed_term_end(self, status):
        return services.renewed_term_end(status)
