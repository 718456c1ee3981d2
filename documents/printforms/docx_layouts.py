"""The layouts of the DOCX print forms shipped with Docket, written out as Word templates.

A DOCX print form is a Word document with Jinja tags (docxtpl): `{{ organisation }}`, rows
repeated by `{%tr for e in events %}`, paragraphs kept by `{%p if topic %}`. The shipped ones
(`documents/templates/documents/printforms/<form>.docx`, and a programme's own under its
definition) are built from these layouts by `manage.py docx_templates --write`, so that their
wording is reviewed as text; a test checks the files are what the layouts build. Staff replace a
template by uploading their own .docx in the admin (Print templates), made in Word from one of
these. A programme's wording differs in a few named phrases (`Words`), as its HTML templates
override a few named blocks.
"""

import io
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from docx import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt


class _Writer:
    """python-docx with the page and the paragraph kinds of an official letter (ГОСТ Р 7.0.97:
    A4, fields 20/20/25/10 mm, Times New Roman 12)."""

    def __init__(self):
        self.doc = DocxDocument()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(25), Mm(10)
        style = self.doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(12)

    def para(self, text="", *, bold=False, center=False, right=False, indent=False, size=None):
        p = self.doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            p.paragraph_format.first_line_indent = Mm(12.5)
        return p

    def tag(self, tag: str):
        """A paragraph that is only a block tag (`{%p if x %}`): docxtpl removes it."""
        return self.doc.add_paragraph(f"{{%p {tag} %}}")

    def labelled(self, label, text):
        p = self.doc.add_paragraph()
        p.add_run(label + " ").bold = True
        p.add_run(text)
        p.paragraph_format.first_line_indent = Mm(12.5)

    def table(self, header, cells=None, *, loop=None, before=(), after=()):
        """A grid: the header, fixed rows `before`, one row per item of `loop` ("e in events")
        whose cells are `cells`, fixed rows `after`; a fixed row is (cells, condition or None),
        kept when its condition holds."""
        table = self.doc.add_table(rows=0, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        blank = [""] * (len(header) - 1)
        if any(header):
            self._row(table, header, bold=True)
        for row, condition in before:
            self._fixed(table, row, condition, blank)
        if loop:
            self._row(table, [f"{{%tr for {loop} %}}", *blank])
            self._row(table, cells)
            self._row(table, ["{%tr endfor %}", *blank])
        for row, condition in after:
            self._fixed(table, row, condition, blank)
        return table

    def _fixed(self, table, row, condition, blank):
        if condition:
            self._row(table, [f"{{%tr if {condition} %}}", *blank])
        self._row(table, row)
        if condition:
            self._row(table, ["{%tr endif %}", *blank])

    @staticmethod
    def _row(table, texts, *, bold=False):
        cells = table.add_row().cells
        for cell, text in zip(cells, texts, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = bold

    def header(self, kind_word, heading=None, approval=None):
        self.para("{{ authority|upper }}", bold=True, center=True)
        for line in approval or []:
            p = self.para(line, bold=line == "УТВЕРЖДАЮ")
            p.paragraph_format.left_indent = Mm(95)
        self.para(kind_word, bold=True, center=True, size=14)
        table = self.doc.add_table(rows=1, cols=2)
        left, right = table.rows[0].cells
        left.text = '{{ date|d or "___.___.______" }}'
        right.text = '№ {{ number or "______" }}'
        right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.tag("if place")
        self.para("{{ place }}", center=True)
        self.tag("endif")
        if heading:
            self.para(heading, bold=True, center=True)

    def signature(self, lines=(), *, loop=None, cells=None):
        self.para()
        table = self.doc.add_table(rows=0, cols=2)
        if loop:
            self._row(table, [f"{{%tr for {loop} %}}", ""])
            self._row(table, cells)
            self._row(table, ["{%tr endfor %}", ""])
        for position, name in lines:
            self._row(table, [position, f"______________ / {name}"])
        for row in table.rows:
            row.cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def qr(self):
        """Requisite 31: the QR code and the verification link (the image comes with the
        context, `qr`)."""
        self.para()
        self.doc.add_paragraph("{{ qr }}")
        self.para("Проверка подлинности документа: {{ doc.verify_url }}", size=9)
        self.para("Код проверки: {{ doc.verify_code }}", size=9)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


@dataclass(frozen=True)
class Words:
    """The phrases a programme may word its own way (its HTML templates' named blocks)."""

    application_events: str = "План мероприятий"
    plan_heading: str = "«{{ organisation }}» на {{ academic_year }} учебный год"
    report_heading: str = (
        "о деятельности {% if by_person %}{{ holder_genitive or organisation }}"
        "{% else %}«{{ organisation }}»{% endif %} за {{ academic_year }} учебный год"
    )
    plan_title: str = (
        "{% if asks_plan is sameas false %}2. Проведённые мероприятия"
        "{% else %}2. Выполнение плана мероприятий (план / факт){% endif %}"
    )
    coordinator: str = "Координатор"
    report_signer: str = "{% if by_person %}Составитель отчёта{% else %}Координатор{% endif %}"
    report_appendix: str = ""  # the regulation's appendix the report form is, printed above it
    holder_topic: str = "Тема:"
    holder_year: str = "Год работы по статусу:"
    network_sources: str = (
        "Отчёт составлен {{ compiled_on|d }} по аналитическим отчётам участников программы "
        "для рассмотрения на заседании совета."
    )
    holders_counted: str = "Участников, отчёты которых приняты"
    clause_1_1: str = (
        "1.1. Предметом Договора является сотрудничество Сторон в рамках программы "
        "{{ program_title|quoted }} на базе организации — {{ organisation }}"
        "{% if topic %} по теме «{{ topic }}»{% endif %}."
    )
    clause_2_1: str = (
        "2.1. Организация ежегодно представляет план работы, проводит мероприятия программы "
        "и представляет аналитический отчёт."
    )
    clause_2_2: str = (
        '2.2. {{ office_name or "Методический центр" }} обеспечивает методическое '
        "сопровождение по плану работы организации."
    )
    clause_2_3: str = "2.3. Партнёры участвуют в подготовке и проведении мероприятий программы."
    clause_3_1: str = (
        "3.1. Договор действует по {{ valid_until|d }} — до окончания срока действия статуса "
        "(с {{ valid_from|d }})."
    )
    addendum_2_1: str = (
        "2.1. Соглашение является неотъемлемой частью Договора и действует до "
        "{{ valid_until|d }} включительно."
    )
    own_application: bool = False  # Приложение 1's named answers rather than the form's
    forms: tuple[str, ...] = field(default=())  # the forms this programme words its own way


def _application(w: _Writer, words: Words):
    w.header(
        "ЗАЯВКА",
        "на присвоение статуса {% if status_name %}«{{ status_name }}» ({{ program_title }})"
        "{% else %}: {{ program_title }}{% endif %}"
        if not words.own_application
        else "на присвоение статуса: {{ program_title }}",
    )
    w.tag("if revision and revision > 1")
    w.para(
        "Редакция {{ revision }}{% if submitted_on %} от {{ submitted_on|d }}{% endif %} "
        "(заявка исправлена после возврата на доработку)",
        bold=True,
    )
    w.tag("endif")
    if words.own_application:
        named = [
            ("Адрес", "address"),
            ("Тема площадки", "topic"),
            ("Направление деятельности", "direction"),
            ("Цель", "goals"),
            ("Задачи", "tasks"),
            ("Ожидаемые результаты", "expected_results"),
        ]
        rows = [(["Образовательная организация", "{{ organisation }}"], None)]
        rows += [([label, f"{{{{ {key}|lines }}}}"], key) for label, key in named]
        rows += [
            (["Партнёры", '{{ partners|join("\n")|lines }}'], "partners"),
            (
                [
                    "Ответственное лицо",
                    "{{ [responsible_name, responsible_position, responsible_phone, "
                    'responsible_email]|select|join(", ") }}',
                ],
                "responsible_name",
            ),
        ]
        w.table(["", ""], before=rows)
    else:
        # The answers as the case's form version lays them out (`answered`, see docx.py).
        applicant = "{% if by_person %}Заявитель{% else %}Организация-заявитель{% endif %}"
        w.table(
            ["", ""],
            ["{{ row.label }}", "{{ row.value|lines }}"],
            loop="row in answered",
            before=[([applicant, "{{ organisation }}"], None)],
        )
    w.tag("if events")
    w.para(words.application_events, bold=True)
    w.table(
        ["Год", "Мероприятие", "Сроки", "Участники"],
        ["{{ e.year_index }}", "{{ e.title }}", "{{ e.timing }}", "{{ e.audience }}"],
        loop="e in events",
    )
    w.tag("endif")
    w.tag("if attachments")
    w.para("Приложения", bold=True)
    w.tag("endif")
    w.tag("for title in attachments")
    w.para("{{ loop.index }}. {{ title }}")
    w.tag("endfor")
    w.signature(
        [
            (
                "{% if by_person %}Заявитель{% else %}Руководитель образовательной "
                "организации{% endif %}",
                '{% if by_person %}{{ organisation }}{% else %}{{ head_name or "______________" }}'
                "{% endif %}",
            )
        ]
    )


def _protocol(w: _Writer, words: Words, *, extract=False):
    w.header("ВЫПИСКА ИЗ ПРОТОКОЛА" if extract else "ПРОТОКОЛ", "{{ title }}")
    w.tag("if format")
    w.para("Форма проведения: {{ format }}")
    w.tag("endif")
    w.para("Председатель — {{ chair }}")
    w.para("Секретарь — {{ secretary }}")
    w.para('Присутствовали ({{ present_count or 0 }}): {{ present|join(", ") }}')
    w.tag("if invited")
    w.para('Приглашённые: {{ invited|join(", ") }}')
    w.tag("endif")
    if not extract:
        w.tag("if agenda")
        w.para("ПОВЕСТКА ДНЯ:", bold=True)
        w.tag("endif")
        w.tag("for title in agenda")  # each line numbered already («1. Заявка …»)
        w.para("{{ title }}")
        w.tag("endfor")
    w.tag("for item in items")
    w.para("{{ item.number }}. {{ item.title }}", bold=True)
    w.tag("if item.heard")
    w.labelled("СЛУШАЛИ:", "{{ item.heard|lines }}")
    w.tag("endif")
    w.tag("if item.spoke")
    w.labelled("ВЫСТУПИЛИ:", "{{ item.spoke|lines }}")
    w.tag("endif")
    w.labelled("РЕШИЛИ:", "{{ item.decided|lines }}")
    w.para(
        "Голосовали: «за» — {{ item.votes_for or 0 }}, «против» — {{ item.votes_against or 0 }}, "
        "«воздержались» — {{ item.abstained or 0 }}.",
        indent=True,
    )
    w.tag("endfor")
    if extract:
        w.signature([("Секретарь", "{{ secretary }}")])
        w.tag("if doc.reg_number")
        w.para("Выписка верна. Выписка № {{ doc.reg_number }} от {{ doc.reg_date|d }}.")
        w.tag("endif")
    else:
        w.signature([("Председатель", "{{ chair }}"), ("Секретарь", "{{ secretary }}")])


def _order(w: _Writer, words: Words):
    w.header("РАСПОРЯЖЕНИЕ", "{{ title }}")
    for key in ("preamble", "basis"):
        w.tag(f"if {key}")
        w.para(f"{{{{ {key}|lines }}}}", indent=True)
        w.tag("endif")
    w.para("1. Присвоить статус следующим образовательным организациям:", indent=True)
    w.table(
        ["№", "Организация", "Статус", "Тема", "Срок действия"],
        [
            "{{ loop.index }}",
            "{{ s.organisation }}",
            "{{ s.status_name }}",
            "{{ s.topic }}",
            "с {{ s.valid_from|d }} по {{ s.valid_until|d }}",
        ],
        loop="s in statuses",
    )
    w.para("2. Контроль за исполнением настоящего распоряжения оставляю за собой.", indent=True)
    w.signature([("{{ signer_position }}", "{{ signer_name }}")])


def _status_certificate(w: _Writer, words: Words):
    approval = ["УТВЕРЖДАЮ", "{{ signer_position }}", "______________ {{ signer_name }}"]
    w.header("СВИДЕТЕЛЬСТВО", "о присвоении статуса", approval=[*approval, "{{ date|d }}"])
    w.para(
        "Настоящее свидетельство подтверждает, что {{ holder_dative or organisation }} "
        "присвоен статус "
        "«{{ status_name }}»{% if topic %} по теме «{{ topic }}»{% endif %}"
        "{% if program_title %} в рамках программы {{ program_title|quoted }}{% endif %}.",
        indent=True,
    )
    w.para("Срок действия статуса: с {{ valid_from|d }} по {{ valid_until|d }}.", indent=True)
    w.tag("if order_number")
    w.para(
        "Основание: распоряжение № {{ order_number }}"
        "{% if order_date %} от {{ order_date|d }}{% endif %}.",
        indent=True,
    )
    w.tag("elif grounds")
    w.para("Основание: {{ grounds }}.", indent=True)
    w.tag("endif")
    w.signature([("{{ signer_position }}", "{{ signer_name }}")])


def _refusal_letter(w: _Writer, words: Words):
    w.header("УВЕДОМЛЕНИЕ", "об отказе в присвоении статуса")
    p = w.para("{{ addressee }}")
    p.paragraph_format.left_indent = Mm(95)
    p = w.para("{{ organisation }}")
    p.paragraph_format.left_indent = Mm(95)
    w.para(
        "Сообщаем, что по результатам рассмотрения заявки"
        "{% if application_number %} № {{ application_number }}{% endif %}"
        "{% if application_date %} от {{ application_date|d }}{% endif %}"
        "{% if program_title %} ({{ program_title }}){% endif %}"
        " принято решение об отказе в присвоении статуса.",
        indent=True,
    )
    w.para("Основания отказа: {{ reasons|lines }}", indent=True)
    w.para("После устранения причин отказа организация вправе подать заявку повторно.", indent=True)
    w.signature([("{{ signer_position }}", "{{ signer_name }}")])


def _submission_intro(w: _Writer, words: Words):
    w.labelled("Программа:", "{{ program_title }} ({{ status_name }})")
    w.tag("if topic")
    w.labelled(words.holder_topic, "{{ topic }}")
    w.tag("endif")
    w.labelled(words.holder_year, "{{ year_index }}-й; представлен {{ submitted_on|d }}")


def _work_plan(w: _Writer, words: Words):
    w.header("ПЛАН РАБОТЫ", words.plan_heading)
    _submission_intro(w, words)
    w.para("{{ summary|lines }}", indent=True)
    w.table(
        ["№", "Мероприятие", "Сроки", "Планируемое число участников"],
        ["{{ loop.index }}", "{{ e.title }}", "{{ e.planned }}", '{{ e.participants or "" }}'],
        loop="e in events",
    )
    w.signature([(words.coordinator, "{{ responsible_name }}")])


def _platform_report(w: _Writer, words: Words):
    if words.report_appendix:
        w.para(words.report_appendix, right=True, size=10)
    w.header(
        "{% if report_title %}{{ report_title|upper }}{% else %}АНАЛИТИЧЕСКИЙ ОТЧЁТ{% endif %}",
        words.report_heading,
    )
    _submission_intro(w, words)
    w.para("1. Краткие итоги года", bold=True)
    w.para("{{ summary|lines }}", indent=True)
    w.para(words.plan_title, bold=True)
    w.table(
        ["№", "Мероприятие", "По плану", "Проведено", "Участников", "Результат", "Отклонение"],
        [
            "{{ loop.index }}",
            "{{ e.title }}",
            "{{ e.planned }}",
            '{{ e.held_on|d or "не проведено" }}',
            '{{ "" if e.participants is none else e.participants }}',
            "{{ e.result }}",
            "{{ e.deviation }}{% if e.reason %} ({{ e.reason }}){% endif %}",
        ],
        loop="e in events",
    )
    w.tag("if counts")
    w.para("3. Количественные показатели", bold=True)
    w.table(
        ["Показатель", "Значение"],
        ["{{ c.label }}", '{{ c.value or "—" }}'],
        loop="c in counts",
    )
    w.tag("endif")
    w.tag("for t in texts")
    w.para("{{ loop.index + (3 if counts else 2) }}. {{ t.label }}", bold=True)
    w.para('{{ (t.value or "—")|lines }}', indent=True)
    w.tag("endfor")
    w.signature([(words.report_signer, "{{ responsible_name }}")])


def _network_report(w: _Writer, words: Words):
    w.header(
        "ЕЖЕГОДНЫЙ АНАЛИТИЧЕСКИЙ ОТЧЁТ",
        "о результатах деятельности сети {{ program_title|quoted }} за {{ academic_year }} учебный год",
    )
    w.para(words.network_sources, indent=True)
    w.para("1. Сводные показатели сети", bold=True)
    w.table(
        ["Показатель", "Всего по сети"],
        ["{{ t.label }}", "{{ t.value }}"],
        loop="t in totals",
        after=[([words.holders_counted, "{{ platforms|length }}"], None)],
    )
    w.para("2. Показатели по площадкам", bold=True)
    w.table(
        ["Площадка", "Тема", "Мероприятий", "Молодых педагогов", "ОО-участников", "Наставников"],
        [
            "{{ p.organisation }}",
            "{{ p.topic }}",
            "{{ p.events_held }}",
            "{{ p.young_teachers }}",
            "{{ p.schools }}",
            "{{ p.mentors }}",
        ],
        loop="p in platforms",
    )
    w.para("3. Продукты деятельности, проблемы и предложения", bold=True)
    w.table(
        ["Площадка", "Продукты и распространение опыта", "Проблемы", "Предложения"],
        [
            "{{ p.organisation }}",
            '{{ [p.outputs, p.dissemination]|select|join("; ") }}',
            "{{ p.problems }}",
            "{{ p.proposals }}",
        ],
        loop="p in platforms",
    )
    w.tag("if deviations")
    w.para("4. Отклонения от планов", bold=True)
    w.table(
        ["Площадка", "Мероприятие", "Отклонение", "Причина"],
        ["{{ d.organisation }}", "{{ d.event }}", "{{ d.deviation }}", "{{ d.reason }}"],
        loop="d in deviations",
    )
    w.tag("endif")
    w.tag("if missing")
    w.para("Площадки, отчёты которых не приняты", bold=True)
    w.table(
        ["Площадка", "Состояние"],
        ["{{ m.organisation }}", "{{ m.state }}"],
        loop="m in missing",
    )
    w.tag("endif")
    w.signature([("Отчёт составил", "{{ compiled_by }}")])


def _cooperation_agreement(w: _Writer, words: Words):
    w.header(
        "{% if supplementary %}ДОПОЛНИТЕЛЬНОЕ СОГЛАШЕНИЕ{% else %}ДОГОВОР{% endif %}",
        "{{ title }}",
    )
    w.para(
        "{% for p in parties %}{{ p.name }} ({{ p.role_label }}){% if p.signer_name %} в лице "
        '{{ p.signer_position or "уполномоченного лица" }} {{ p.signer_name }}{% endif %}'
        "{% if not loop.last %}; {% endif %}{% endfor %}, далее вместе именуемые «Стороны», "
        "заключили {% if supplementary %}настоящее дополнительное соглашение к договору о "
        "сотрудничестве{% else %}настоящий договор{% endif %} о нижеследующем:",
        indent=True,
    )
    w.tag("if supplementary")
    w.para("1. Присоединение к Договору", bold=True)
    w.para(
        "1.1. Стороны договорились включить в число Сторон Договора в качестве партнёра "
        '(партнёров): {{ new_parties|map(attribute="name")|join(", ") }}.',
        indent=True,
    )
    w.para(
        "1.2. Присоединившаяся Сторона принимает на себя права и обязанности партнёра, "
        "предусмотренные разделом 2 Договора, с даты регистрации настоящего соглашения.",
        indent=True,
    )
    w.para("2. Заключительные положения", bold=True)
    w.para(words.addendum_2_1, indent=True)
    w.tag("else")
    w.para("1. Предмет Договора", bold=True)
    w.para(words.clause_1_1, indent=True)
    w.tag("if subject")
    w.para("1.3. {{ subject|lines }}", indent=True)
    w.tag("endif")
    w.para("2. Обязанности Сторон", bold=True)
    for clause in (words.clause_2_1, words.clause_2_2, words.clause_2_3):
        w.para(clause, indent=True)
    w.para("3. Срок действия Договора", bold=True)
    w.para(words.clause_3_1, indent=True)
    w.para("4. Заключительные положения", bold=True)
    w.para(
        "4.1. Новый партнёр присоединяется к Договору дополнительным соглашением, "
        "подписываемым всеми Сторонами.",
        indent=True,
    )
    w.tag("endif")
    w.para("Подписи Сторон", bold=True)
    w.signature(
        loop="p in parties",
        cells=[
            "{{ p.role_label }}: {{ p.name }}",
            '______________ / {{ p.signer_name or "______________" }}',
        ],
    )


def _audit_checkpoint(w: _Writer, words: Words):
    w.header("КОНТРОЛЬНАЯ ТОЧКА", "журнала аудита Docket")
    w.para(
        "Настоящим фиксируется состояние журнала аудита на момент контрольной точки. "
        "Удаление, изменение или подмена событий, вошедших в неё, обнаруживается командой "
        "verify_audit.",
        indent=True,
    )
    w.labelled("Номер контрольной точки:", "{{ checkpoint }}")
    w.labelled("Дата и время:", "{{ at_text or at|d }}")
    w.labelled("Событий в журнале:", "{{ event_count }}")
    w.labelled("Последнее событие:", "№ {{ head_id }}")
    w.labelled("HMAC последнего события:", "{{ head_mac }}")
    w.labelled("HMAC предыдущей контрольной точки:", "{{ prev_mac }}")


def _publication_consent(w: _Writer, words: Words):
    w.header("СОГЛАСИЕ", "на публикацию материала и обработку персональных данных автора")
    w.para(
        "Я, {{ author }}{% if author_position %}, {{ author_position }}{% endif %}, даю "
        "{{ authority }} согласие на размещение в открытом каталоге материалов программы "
        "{{ program_title|quoted }} ({{ catalogue }}) материала «{{ title }}»"
        "{% if authors %} (авторы: {{ authors }}){% endif %} и его последующих редакций, "
        "одобренных к публикации, вместе с моими фамилией, именем и отчеством как автора, — "
        "для свободного ознакомления с ними неограниченного круга лиц.",
        indent=True,
    )
    w.para(
        "Согласие даётся в соответствии со статьёй 9 Федерального закона от 27.07.2006 "
        "№ 152-ФЗ «О персональных данных», действует до его отзыва и может быть отозвано мною "
        "в любой момент: при отзыве материал снимается с публикации, история его "
        "рассмотрения сохраняется.",
        indent=True,
    )
    w.signature([("Автор", "{{ author }}")])


LAYOUTS = {
    "application": _application,
    "protocol": _protocol,
    "protocol_extract": lambda w, words: _protocol(w, words, extract=True),
    "order": _order,
    "status_certificate": _status_certificate,
    "refusal_letter": _refusal_letter,
    "work_plan": _work_plan,
    "platform_report": _platform_report,
    "network_report": _network_report,
    "cooperation_agreement": _cooperation_agreement,
    "audit_checkpoint": _audit_checkpoint,
    "publication_consent": _publication_consent,
}

ENGINE = Words()


def programme_words() -> dict[tuple[str, str], Words]:
    """(definition folder, programme code) → its wording, for each definition that words its
    DOCX print forms its own way (`docx_words` in its programme.json)."""
    from django.conf import settings

    found = {}
    for path in sorted(Path(settings.BASE_DIR).glob("programmes/definitions/*/programme.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("docx_words"):
            words = dict(data["docx_words"])
            words["forms"] = tuple(words.get("forms", ()))
            found[(path.parent.name, data["code"])] = replace(ENGINE, **words)
    return found


def build(form: str, words: Words = ENGINE) -> bytes:
    writer = _Writer()
    LAYOUTS[form](writer, words)
    writer.qr()
    return writer.bytes()
