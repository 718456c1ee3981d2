"""The paper of a status's life: plans and reports (Appendix 2), the network's yearly report,
and the cooperation agreement signed by every party and registered (Tomsk III.3)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from applications import roles
from applications import services as workflow_services
from core.errors import ConflictError, NotAllowed
from documents import pki
from documents.models import Document, DocumentDownload, Signature
from documents.selectors import document_can_view, signatures_report
from documents.services import (
    document_draft,
    document_sign,
    journal_register,
    print_form_request,
    signer_certificate_issue,
    trust_roots,
)
from statuses import paper
from statuses import services as status_services
from statuses.models import (
    Agreement,
    AgreementParty,
    AgreementSettings,
    Duty,
)
from tests.documents_helpers import docx_text, pdf_text, printform_context
from tests.factories import CoordinatorFactory, OrganisationFactory, UserFactory
from tests.story import granted

pytestmark = pytest.mark.django_db
TOMSK = ZoneInfo("Asia/Tomsk")
GRANT_DAY = datetime.date(2026, 11, 20)


def _bytes(version) -> bytes:
    with version.file.open("rb") as handle:
        return handle.read()


def _render(form, author, capture, *, scope="", **extra):
    from documents import printforms

    document = document_draft(kind=printforms.FORMS[form].kind, title=form, author=author)
    journal_register(document=document, journal_code=form, scope="tomsk-ms")
    context = {**printform_context(form), **extra}
    with capture(execute=True):
        print_form_request(document=document, form=form, context=context, actor=author, scope=scope)
    document.refresh_from_db()
    assert document.render_state == Document.RenderState.READY
    pdf = pdf_text(_bytes(document.current_version)).replace("\n", " ")
    docx = docx_text(_bytes(document.editable_version)).replace("\n", " ")
    return pdf, docx


# --- The print forms --------------------------------------------------------------------------


def test_platform_report_prints_appendix_2_plan_vs_actual(django_capture_on_commit_callbacks):
    clerk = UserFactory(username="clerk")
    # Tomsk's report is its regulation's Appendix 2 (its definition's templates say so).
    pdf, docx = _render(
        "platform_report", clerk, django_capture_on_commit_callbacks, scope="tomsk-ms"
    )
    for text in (pdf, docx):
        assert "АНАЛИТИЧЕСКИЙ ОТЧЁТ" in text
        assert "2026/27" in text
        assert "Мастер-класс наставников" in text
        assert "не проведено" in text
        assert "Перенесён на апрель" in text and "Карантин" in text
        assert "Молодых педагогов — участников мероприятий" in text
        assert "37" in text
        assert "Сборник методических материалов" in text
        assert "Выступление на городской конференции" in text
        assert "Нет актового зала" in text
        assert "Проводить семинары в ИМЦ" in text
    assert "Приложение 2" in pdf and "Приложение 2" in docx
    assert "14.10.2026" in pdf


def test_work_plan_prints_the_planned_events(django_capture_on_commit_callbacks):
    clerk = UserFactory(username="clerk")
    pdf, docx = _render("work_plan", clerk, django_capture_on_commit_callbacks)
    for text in (pdf, docx):
        assert "ПЛАН РАБОТЫ" in text
        assert "Семинар «Первые шаги»" in text
        assert "Иванова М. П." in text
    assert "АНАЛИТИЧЕСКИЙ" not in pdf


def test_network_report_prints_tables_and_svg_charts(django_capture_on_commit_callbacks):
    clerk = UserFactory(username="clerk")
    pdf, docx = _render("network_report", clerk, django_capture_on_commit_callbacks)
    for text in (pdf, docx):
        assert "ЕЖЕГОДНЫЙ АНАЛИТИЧЕСКИЙ ОТЧЁТ" in text
        assert "МАОУ гимназия № 6" in text
        assert "42" in text  # young teachers over the network: 30 + 12
        assert "МАОУ СОШ № 7" in text  # a platform whose report is missing
    # The charts are drawn from inline SVG: their titles and bar labels are in the PDF.
    assert pdf.count("МАОУ гимназия № 6") >= 5  # table + four charts
    assert "(всего: 42)" in pdf


def test_network_report_bars_are_valid_svg_lengths_in_russian():
    """A float printed by the Russian locale ("340,0") is no SVG length: the bars vanish."""
    import re

    from documents.printforms.render import render_html

    context = {
        **printform_context("network_report"),
        "doc": {"kind_title": "", "verify_url": "", "verify_code": "", "qr_data_uri": ""},
    }
    html = render_html(form="network_report", context=context)
    widths = re.findall(r'<rect x="200" y="\d+" width="([^"]+)"', html)
    assert len(widths) == 8  # four charts, two platforms
    assert all(re.fullmatch(r"\d+(\.\d+)?", w) for w in widths)
    assert "340.0" in widths  # the largest bar spans the chart


def test_agreement_and_supplement_print_parties_term_and_signatures(
    django_capture_on_commit_callbacks,
):
    clerk = UserFactory(username="clerk")
    pdf, docx = _render("cooperation_agreement", clerk, django_capture_on_commit_callbacks)
    for text in (pdf, docx):
        assert "ДОГОВОР" in text
        assert "МАУ ИМЦ г. Томска" in text and "ТГПУ" in text
        assert "31.08.2029" in text
        assert "Предмет Договора" in text
    supplement = {
        "supplementary": True,
        "title": "к договору о сотрудничестве № ДС-2026/001 от 01.12.2026",
        "parent_number": "ДС-2026/001",
        "parent_date": datetime.date(2026, 12, 1),
        "new_parties": [printform_context("cooperation_agreement")["parties"][2]],
    }
    pdf, docx = _render(
        "cooperation_agreement", clerk, django_capture_on_commit_callbacks, **supplement
    )
    for text in (pdf, docx):
        assert "ДОПОЛНИТЕЛЬНОЕ СОГЛАШЕНИЕ" in text
        assert "ТГПУ" in text
    assert "ДС-2026/001" in pdf


# --- Plans and reports in the flow ------------------------------------------------------------


@pytest.fixture
def status(granted_status):
    return granted_status


def test_a_sent_report_is_registered_rendered_and_downloadable(
    status, coordinator, other_coordinator, methodist, client, django_capture_on_commit_callbacks
):
    duty = status.duties.get(kind=Duty.Kind.REPORT, academic_year=2026)
    with time_machine.travel(datetime.datetime(2027, 5, 25, 10, tzinfo=TOMSK), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            submission = status_services.submission_create(
                user=coordinator,
                duty_id=duty.pk,
                fields={
                    "summary": "Итоги года",
                    "events_held": 3,
                    "young_teachers": 17,
                    "schools": 4,
                    "mentors": 2,
                    "outputs": "Методичка",
                },
                events=[{"title": "Семинар", "planned": "март", "deviation": "", "reason": ""}],
            )
    document = paper.submission_document(submission)
    assert document.kind == Document.Kind.REPORT
    assert document.journal.code == "submission"
    assert document.reg_number.endswith("/0001")
    assert document.render_state == Document.RenderState.READY
    text = pdf_text(_bytes(document.current_version)).replace("\n", " ")
    assert "Итоги года" in text and "Методичка" in text and "17" in text

    assert document_can_view(user=methodist, document=document)
    assert document_can_view(user=coordinator, document=document)
    assert not document_can_view(user=other_coordinator, document=document)

    client.force_login(coordinator)
    page = client.get(reverse("duty-detail", args=[duty.pk])).content.decode()
    url = reverse("document-download", args=[document.pk, document.current_version.number])
    assert url in page
    assert client.get(url).status_code == 200
    assert DocumentDownload.objects.filter(document=document, user=coordinator).exists()
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404


def test_a_plan_while_preparing_shows_preparing(status, coordinator, client):
    duty = status.duties.filter(kind=Duty.Kind.PLAN).first()
    submission = status_services.submission_create(
        user=coordinator,
        duty_id=duty.pk,
        fields={"summary": "План"},
        events=[{"title": "Семинар", "planned": "октябрь"}],
    )
    document = paper.submission_document(submission)
    assert document.kind == Document.Kind.PLAN
    assert document.render_state == Document.RenderState.PREPARING
    client.force_login(coordinator)
    page = client.get(reverse("duty-detail", args=[duty.pk])).content.decode()
    assert f'id="print-document-{document.pk}"' in page
    assert "state-preparing" in page


# --- The cooperation agreement ------------------------------------------------------------------


@pytest.fixture
def signed_status(
    program, school, coordinator, methodist, secretary, official, django_capture_on_commit_callbacks
):
    """A granted status whose agreement is rendered (the render task ran after commit)."""
    AgreementSettings.objects.create(
        program=program,
        office_name="МАУ ИМЦ г. Томска",
        office_signer=methodist,
        office_signer_position="Директор",
    )
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=TOMSK), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            status = granted(
                coordinator=coordinator,
                school=school,
                program=program,
                methodist=methodist,
                secretary=secretary,
                official=official,
                on=GRANT_DAY,
            )
    for user in (coordinator, methodist):
        signer_certificate_issue(user=user)
    return status


def _sign_all(agreement, *, users, methodist, capture=None):
    for user in users:
        paper.agreement_sign(user=user, agreement_id=agreement.pk)
    for party in agreement.parties.filter(signer=None):
        paper.agreement_paper_signature_record(
            user=methodist, party_id=party.pk, signed_on=timezone.localdate()
        )
    agreement.refresh_from_db()
    agreement.document.refresh_from_db()
    return agreement


def test_agreement_is_drafted_once_with_school_office_and_partners(
    signed_status, school, coordinator, methodist
):
    assert Agreement.objects.filter(status=signed_status).count() == 1
    workflow_services.status_grant(application=signed_status.application)  # the job again
    paper.agreement_draft_for_status(status=signed_status)
    assert Agreement.objects.filter(status=signed_status).count() == 1
    agreement = Agreement.objects.get(status=signed_status)
    parties = list(agreement.parties.all())
    assert [p.role for p in parties] == ["school", "office", "partner"]
    assert parties[0].signer == coordinator and parties[0].name == school.name
    assert parties[1].signer == methodist and parties[1].name == "МАУ ИМЦ г. Томска"
    assert parties[1].signer_position == "Директор"
    assert parties[2].name == "ТГПУ" and parties[2].signer is None  # outside: on paper
    document = agreement.document
    assert document.kind == Document.Kind.AGREEMENT
    assert document.render_state == Document.RenderState.READY
    assert not document.reg_number  # registered when the last party signs
    assert set(document.signatories.values_list("user_id", flat=True)) == {
        coordinator.pk,
        methodist.pk,
    }
    text = pdf_text(_bytes(document.current_version)).replace("\n", " ")
    assert "ТГПУ" in text and signed_status.valid_until.strftime("%d.%m.%Y") in text
    # Each signer in Docket is told, once however often the grant job runs.
    from notifications.models import Notification

    for user in (coordinator, methodist):
        told = Notification.objects.filter(
            recipient=user, dedup_key=f"agreement:{agreement.pk}:draft", channel="inapp"
        )
        assert told.count() == 1 and "ждёт вашей подписи" in told.get().subject


def test_all_parties_sign_then_it_is_registered_and_pyhanko_accepts_it(
    signed_status, coordinator, methodist
):
    agreement = Agreement.objects.get(status=signed_status)
    paper.agreement_sign(user=coordinator, agreement_id=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.SIGNING
    paper.agreement_sign(user=methodist, agreement_id=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.SIGNING  # the outside partner has not signed
    partner = agreement.parties.get(role=AgreementParty.Role.PARTNER)
    paper.agreement_paper_signature_record(
        user=methodist, party_id=partner.pk, signed_on=timezone.localdate()
    )
    agreement.refresh_from_db()
    document = agreement.document
    document.refresh_from_db()
    assert agreement.state == Agreement.State.REGISTERED
    assert document.journal.code == "agreement"
    assert document.reg_number == f"ДС-{document.reg_date.year}/001"

    data = _bytes(document.current_version)
    checks = pki.pades_validate(pdf=data, trust_roots=trust_roots())
    assert len(checks) == 2 and all(c.ok for c in checks)
    assert all(r.valid for r in signatures_report(document))


def test_a_non_party_cannot_sign_and_nothing_changes(signed_status, secretary, client):
    agreement = Agreement.objects.get(status=signed_status)
    signer_certificate_issue(user=secretary)
    versions = agreement.document.versions.count()
    with pytest.raises(NotAllowed, match="не подписываете этот договор"):
        paper.agreement_sign(user=secretary, agreement_id=agreement.pk)
    with pytest.raises(PermissionDenied):
        document_sign(document=agreement.document, signer=secretary)
    client.force_login(secretary)
    response = client.post(reverse("agreement-sign", args=[agreement.pk]), follow=True)
    assert "не подписываете этот договор" in response.content.decode()
    assert not Signature.objects.filter(document=agreement.document).exists()
    assert agreement.document.versions.count() == versions
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.SIGNING


def test_the_last_signature_from_the_document_page_registers_too(
    signed_status, coordinator, methodist, client
):
    agreement = Agreement.objects.get(status=signed_status)
    partner = agreement.parties.get(role=AgreementParty.Role.PARTNER)
    paper.agreement_paper_signature_record(
        user=methodist, party_id=partner.pk, signed_on=timezone.localdate()
    )
    paper.agreement_sign(user=methodist, agreement_id=agreement.pk)
    client.force_login(coordinator)
    client.post(reverse("document-sign", args=[agreement.document.pk]))
    agreement.refresh_from_db()
    assert agreement.state == Agreement.State.REGISTERED


def test_paper_signature_is_for_methodists_and_outside_partners_only(
    signed_status, coordinator, methodist
):
    agreement = Agreement.objects.get(status=signed_status)
    partner = agreement.parties.get(role=AgreementParty.Role.PARTNER)
    school = agreement.parties.get(role=AgreementParty.Role.SCHOOL)
    with pytest.raises(NotAllowed):
        paper.agreement_paper_signature_record(
            user=coordinator, party_id=partner.pk, signed_on=timezone.localdate()
        )
    with pytest.raises(ConflictError):
        paper.agreement_paper_signature_record(
            user=methodist, party_id=school.pk, signed_on=timezone.localdate()
        )
    partner.refresh_from_db()
    assert partner.paper_signed_on is None


def test_adding_a_partner_makes_a_linked_supplementary_agreement(
    signed_status, coordinator, methodist, client, django_capture_on_commit_callbacks
):
    agreement = Agreement.objects.get(status=signed_status)
    university = OrganisationFactory(name="ФГБОУ ВО «ТГУ»", short_name="ТГУ")
    university_head = CoordinatorFactory(username="tsu", organisation=university)
    with pytest.raises(ConflictError, match="не подписан всеми сторонами"):
        paper.agreement_partner_add(
            user=methodist, status_id=signed_status.pk, organisation=university
        )
    _sign_all(agreement, users=[coordinator, methodist], methodist=methodist)
    with pytest.raises(NotAllowed):
        paper.agreement_partner_add(
            user=coordinator, status_id=signed_status.pk, organisation=university
        )
    with pytest.raises(ConflictError, match="уже является стороной"):
        paper.agreement_partner_add(
            user=methodist, status_id=signed_status.pk, name="тгпу", signer_name="Кузнецов"
        )

    client.force_login(methodist)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("agreement-partner-add", args=[signed_status.pk]),
            {"organisation": university.pk},
        )
    supplement = Agreement.objects.get(status=signed_status, number=1)
    assert supplement.parent == agreement
    assert supplement.document.render_state == Document.RenderState.READY
    parties = list(supplement.parties.all())
    assert [p.name for p in parties] == [
        *agreement.parties.values_list("name", flat=True),
        "ФГБОУ ВО «ТГУ»",
    ]
    assert parties[-1].is_new and parties[-1].signer == university_head
    text = pdf_text(_bytes(supplement.document.current_version)).replace("\n", " ")
    assert "ДОПОЛНИТЕЛЬНОЕ СОГЛАШЕНИЕ" in text and agreement.document.reg_number in text

    # The partner's coordinator does not see the school's status, but finds and signs it.
    signer_certificate_issue(user=university_head)
    client.force_login(university_head)
    assert client.get(reverse("status-detail", args=[signed_status.pk])).status_code == 404
    page = client.get(reverse("agreements-to-sign")).content.decode()
    assert reverse("agreement-sign", args=[supplement.pk]) in page
    client.post(reverse("agreement-sign", args=[supplement.pk]))
    _sign_all(supplement, users=[coordinator, methodist], methodist=methodist)
    assert supplement.state == Agreement.State.REGISTERED
    assert supplement.document.reg_number == f"ДС-{supplement.document.reg_date.year}/002"
    assert "ФГБОУ ВО «ТГУ»" in [p.name for p in paper.network_parties(signed_status)]


def test_status_page_shows_the_agreement_and_the_sign_button(
    signed_status, coordinator, methodist, client
):
    agreement = Agreement.objects.get(status=signed_status)
    client.force_login(coordinator)
    page = client.get(reverse("status-detail", args=[signed_status.pk])).content.decode()
    assert f'id="agreement-sign-{agreement.pk}"' in page
    assert "ТГПУ" in page
    client.force_login(methodist)
    page = client.get(reverse("status-detail", args=[signed_status.pk])).content.decode()
    assert reverse("agreement-paper", args=[agreement.pk]) in page
    assert reverse("agreement-partner-add", args=[signed_status.pk]) in page


def test_office_signer_defaults_to_a_methodist(program, methodist):
    UserFactory(username="admin", is_superuser=True)
    party = paper.office_party(program)
    assert party["signer"] == methodist
    assert party["role"] == AgreementParty.Role.OFFICE


def test_network_report_is_rendered_on_compile_and_listed(
    status, coordinator, methodist, secretary, client, django_capture_on_commit_callbacks
):
    duty = status.duties.get(kind=Duty.Kind.REPORT, academic_year=2026)
    with time_machine.travel(datetime.datetime(2027, 5, 25, 10, tzinfo=TOMSK), tick=False):
        submission = status_services.submission_create(
            user=coordinator,
            duty_id=duty.pk,
            fields={
                "summary": "Итоги",
                "events_held": 4,
                "young_teachers": 23,
                "schools": 3,
                "mentors": 5,
            },
            events=[{"title": "Семинар", "planned": "март"}],
        )
        status_services.submission_check(
            user=methodist, submission_id=submission.pk, decision="accept"
        )
        status_services.submission_council_decide(
            user=secretary,
            submission_id=submission.pk,
            decision="accept",
            comment="",
            meeting_date=datetime.date(2027, 6, 10),
        )
    with django_capture_on_commit_callbacks(execute=True):
        report = status_services.network_report_compile(
            user=methodist, program=status.program, academic_year=2026
        )
    document = paper.network_report_document(report)
    assert document.render_state == Document.RenderState.READY
    text = pdf_text(_bytes(document.current_version)).replace("\n", " ")
    assert status.organisation.short_name in text and "23" in text
    client.force_login(methodist)
    page = client.get(reverse("network-reports")).content.decode()
    assert reverse("document-download", args=[document.pk, document.current_version.number]) in page
    # Recompiling renders the same document again, not a second one.
    with django_capture_on_commit_callbacks(execute=True):
        status_services.network_report_compile(
            user=methodist, program=status.program, academic_year=2026
        )
    assert paper.network_report_document(report) == document
    assert document.versions.count() == 4
    coordinator_view = document_can_view(user=coordinator, document=document)
    assert coordinator_view is False
    assert roles.METHODISTS
