"""The editable DOCX copy of a print form, built with python-docx from the same context as the PDF.

The PDF is the document of record (it is what gets signed); the DOCX is for staff who need to
paste the text into a letter or correct a draft before re-issuing it. Same requisites, same order.
"""

import base64
import datetime
import io

from docx import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt


def _d(value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value or "")


class _Builder:
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

    def labelled(self, label, text):
        p = self.doc.add_paragraph()
        p.add_run(label + " ").bold = True
        p.add_run(str(text or ""))
        p.paragraph_format.first_line_indent = Mm(12.5)

    def table(self, header, rows):
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = str(text)
        return table

    def header(self, ctx, kind_word, heading=None, approval=None):
        self.para(str(ctx.get("authority", "")).upper(), bold=True, center=True)
        if approval:
            for line in approval:
                p = self.para(line, bold=line == "УТВЕРЖДАЮ")
                p.paragraph_format.left_indent = Mm(95)
        self.para(kind_word, bold=True, center=True, size=14)
        table = self.doc.add_table(rows=1, cols=2)
        left, right = table.rows[0].cells
        left.text = _d(ctx.get("date")) or "___.___.______"
        right.text = "№ " + (str(ctx.get("number") or "") or "______")
        right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if ctx.get("place"):
            self.para(ctx["place"], center=True)
        if heading:
            self.para(heading, bold=True, center=True)

    def signature(self, lines):
        self.para()
        table = self.doc.add_table(rows=0, cols=2)
        for position, name in lines:
            left, right = table.add_row().cells
            left.text = str(position)
            right.text = f"______________ / {name}"
            right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def qr(self, ctx):
        doc = ctx["doc"]
        self.para()
        png = base64.b64decode(doc["qr_data_uri"].split(",", 1)[1])
        self.doc.add_picture(io.BytesIO(png), width=Mm(28))
        self.para(f"Проверка подлинности документа: {doc['verify_url']}", size=9)
        self.para(f"Код проверки: {doc['verify_code']}", size=9)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _application(b, ctx):
    b.header(ctx, "ЗАЯВКА", f"на присвоение статуса: {ctx.get('program_title', '')}")
    if (ctx.get("revision") or 1) > 1:
        on = f" от {_d(ctx['submitted_on'])}" if ctx.get("submitted_on") else ""
        b.para(
            f"Редакция {ctx['revision']}{on} (заявка исправлена после возврата на доработку)",
            bold=True,
        )
    rows = [
        ("Образовательная организация", ctx.get("organisation")),
        ("Адрес", ctx.get("address")),
        ("Тема площадки", ctx.get("topic")),
        ("Направление деятельности", ctx.get("direction")),
        ("Цель", ctx.get("goals")),
        ("Задачи", ctx.get("tasks")),
        ("Ожидаемые результаты", ctx.get("expected_results")),
        ("Партнёры", "\n".join(ctx.get("partners") or [])),
        (
            "Ответственное лицо",
            ", ".join(
                str(x)
                for x in (
                    ctx.get("responsible_name"),
                    ctx.get("responsible_position"),
                    ctx.get("responsible_phone"),
                    ctx.get("responsible_email"),
                )
                if x
            ),
        ),
    ]
    if ctx.get("sections"):
        # The answers as the case's form version lays them out (contexts frozen before the
        # forms were data have only the named answers above).
        applicant = "Заявитель" if ctx.get("by_person") else "Организация-заявитель"
        rows = [(applicant, ctx.get("organisation"))] + [
            (row["label"], row["value"]) for section in ctx["sections"] for row in section["rows"]
        ]
    b.table(["", ""], [(k, v) for k, v in rows if v])
    if ctx.get("events"):
        b.para("План мероприятий", bold=True)
        b.table(
            ["Год", "Мероприятие", "Сроки", "Участники"],
            [
                (e.get("year_index"), e.get("title"), e.get("timing"), e.get("audience", ""))
                for e in ctx["events"]
            ],
        )
    if ctx.get("attachments"):
        b.para("Приложения", bold=True)
        for n, title in enumerate(ctx["attachments"], start=1):
            b.para(f"{n}. {title}")
    if ctx.get("by_person"):
        b.signature([("Заявитель", ctx.get("organisation", ""))])
    else:
        b.signature(
            [("Руководитель образовательной организации", ctx.get("head_name") or "______________")]
        )


def _protocol(b, ctx, *, extract=False):
    b.header(ctx, "ВЫПИСКА ИЗ ПРОТОКОЛА" if extract else "ПРОТОКОЛ", ctx.get("title"))
    if ctx.get("format"):
        b.para(f"Форма проведения: {ctx['format']}")
    b.para(f"Председатель — {ctx.get('chair', '')}")
    b.para(f"Секретарь — {ctx.get('secretary', '')}")
    b.para(f"Присутствовали ({ctx.get('present_count', 0)}): {', '.join(ctx.get('present', []))}")
    if ctx.get("invited"):
        b.para(f"Приглашённые: {', '.join(ctx['invited'])}")
    if ctx.get("agenda") and not extract:
        b.para("ПОВЕСТКА ДНЯ:", bold=True)
        for number, title in enumerate(ctx["agenda"], start=1):
            b.para(f"{number}. {title}")
    for item in ctx.get("items", []):
        b.para(f"{item.get('number')}. {item.get('title', '')}", bold=True)
        if item.get("heard"):
            b.labelled("СЛУШАЛИ:", item["heard"])
        if item.get("spoke"):
            b.labelled("ВЫСТУПИЛИ:", item["spoke"])
        b.labelled("РЕШИЛИ:", item.get("decided", ""))
        b.para(
            f"Голосовали: «за» — {item.get('votes_for', 0)}, «против» — "
            f"{item.get('votes_against', 0)}, «воздержались» — {item.get('abstained', 0)}.",
            indent=True,
        )
    if extract:
        b.signature([("Секретарь", ctx.get("secretary", ""))])
        if ctx["doc"].get("reg_number"):
            b.para(
                f"Выписка верна. Выписка № {ctx['doc']['reg_number']} от "
                f"{_d(ctx['doc'].get('reg_date'))}."
            )
    else:
        b.signature(
            [("Председатель", ctx.get("chair", "")), ("Секретарь", ctx.get("secretary", ""))]
        )


def _order(b, ctx):
    b.header(ctx, "РАСПОРЯЖЕНИЕ", ctx.get("title"))
    for key in ("preamble", "basis"):
        if ctx.get(key):
            b.para(ctx[key], indent=True)
    b.para("1. Присвоить статус следующим образовательным организациям:", indent=True)
    b.table(
        ["№", "Организация", "Статус", "Тема", "Срок действия"],
        [
            (
                n,
                s.get("organisation"),
                s.get("status_name"),
                s.get("topic", ""),
                f"с {_d(s.get('valid_from'))} по {_d(s.get('valid_until'))}",
            )
            for n, s in enumerate(ctx.get("statuses", []), start=1)
        ],
    )
    b.para("2. Контроль за исполнением настоящего распоряжения оставляю за собой.", indent=True)
    b.signature([(ctx.get("signer_position", ""), ctx.get("signer_name", ""))])


def _status_certificate(b, ctx):
    approval = [
        "УТВЕРЖДАЮ",
        str(ctx.get("signer_position", "")),
        f"______________ {ctx.get('signer_name', '')}",
        _d(ctx.get("date")),
    ]
    b.header(ctx, "СВИДЕТЕЛЬСТВО", "о присвоении статуса", approval=approval)
    text = f"Настоящее свидетельство подтверждает, что {ctx.get('organisation')} присвоен статус «{ctx.get('status_name')}»"
    if ctx.get("topic"):
        text += f" по теме «{ctx['topic']}»"
    if ctx.get("program_title"):
        text += f" в рамках программы «{ctx['program_title']}»"
    b.para(text + ".", indent=True)
    b.para(
        f"Срок действия статуса: с {_d(ctx.get('valid_from'))} по {_d(ctx.get('valid_until'))}.",
        indent=True,
    )
    if ctx.get("order_number"):
        basis = f"Основание: распоряжение № {ctx['order_number']}"
        if ctx.get("order_date"):
            basis += f" от {_d(ctx['order_date'])}"
        b.para(basis + ".", indent=True)
    elif ctx.get("grounds"):
        b.para(f"Основание: {ctx['grounds']}.", indent=True)
    b.signature([(ctx.get("signer_position", ""), ctx.get("signer_name", ""))])


def _refusal_letter(b, ctx):
    b.header(ctx, "УВЕДОМЛЕНИЕ", "об отказе в присвоении статуса")
    p = b.para(f"{ctx.get('addressee', '')}\n{ctx.get('organisation', '')}")
    p.paragraph_format.left_indent = Mm(95)
    text = "Сообщаем, что по результатам рассмотрения заявки"
    if ctx.get("application_number"):
        text += f" № {ctx['application_number']}"
    if ctx.get("application_date"):
        text += f" от {_d(ctx['application_date'])}"
    if ctx.get("program_title"):
        text += f" ({ctx['program_title']})"
    b.para(text + " принято решение об отказе в присвоении статуса.", indent=True)
    b.para(f"Основания отказа: {ctx.get('reasons', '')}", indent=True)
    b.para("После устранения причин отказа организация вправе подать заявку повторно.", indent=True)
    b.signature([(ctx.get("signer_position", ""), ctx.get("signer_name", ""))])


def _submission_intro(b, ctx):
    b.labelled("Программа:", f"{ctx.get('program_title', '')} ({ctx.get('status_name', '')})")
    if ctx.get("topic"):
        b.labelled("Тема площадки:", ctx["topic"])
    b.labelled(
        "Год работы площадки:",
        f"{ctx.get('year_index', '')}-й; представлен {_d(ctx.get('submitted_on'))}",
    )


def _work_plan(b, ctx):
    b.header(
        ctx,
        "ПЛАН РАБОТЫ",
        f"«{ctx.get('organisation', '')}» на {ctx.get('academic_year')} учебный год",
    )
    _submission_intro(b, ctx)
    b.para(ctx.get("summary", ""), indent=True)
    b.table(
        ["№", "Мероприятие", "Сроки", "Планируемое число участников"],
        [
            (n, e.get("title"), e.get("planned"), e.get("participants") or "")
            for n, e in enumerate(ctx.get("events", []), start=1)
        ],
    )
    b.signature([("Координатор", ctx.get("responsible_name", ""))])


def _platform_report(b, ctx):
    b.para("Приложение 2 к Положению о муниципальной сети", right=True, size=10)
    b.header(
        ctx,
        "АНАЛИТИЧЕСКИЙ ОТЧЁТ",
        f"о деятельности «{ctx.get('organisation', '')}» за {ctx.get('academic_year')} учебный год",
    )
    _submission_intro(b, ctx)
    b.para("1. Краткие итоги года", bold=True)
    b.para(ctx.get("summary", ""), indent=True)
    b.para("2. Выполнение плана мероприятий (план / факт)", bold=True)
    b.table(
        ["№", "Мероприятие", "По плану", "Проведено", "Участников", "Результат", "Отклонение"],
        [
            (
                n,
                e.get("title"),
                e.get("planned"),
                _d(e.get("held_on")) or "не проведено",
                "" if e.get("participants") is None else e["participants"],
                e.get("result", ""),
                e.get("deviation", "") + (f" ({e['reason']})" if e.get("reason") else ""),
            )
            for n, e in enumerate(ctx.get("events", []), start=1)
        ],
    )
    b.para("3. Количественные показатели", bold=True)
    b.table(
        ["Показатель", "Значение"],
        [(c["label"], c["value"] or "—") for c in ctx.get("counts", [])],
    )
    texts = ctx.get("texts")
    if texts is None:  # a context stored before reports were data
        texts = [
            {"label": label, "value": ctx.get(key)}
            for label, key in (
                ("Продукты деятельности и публикации", "outputs"),
                ("Распространение опыта", "dissemination"),
                ("Проблемы", "problems"),
                ("Предложения", "proposals"),
            )
        ]
    for n, item in enumerate(texts, start=4):
        b.para(f"{n}. {item['label']}", bold=True)
        b.para(item["value"] or "—", indent=True)
    b.signature([("Координатор", ctx.get("responsible_name", ""))])


def _network_report(b, ctx):
    b.header(
        ctx,
        "ЕЖЕГОДНЫЙ АНАЛИТИЧЕСКИЙ ОТЧЁТ",
        f"о результатах деятельности сети «{ctx.get('program_title', '')}» за "
        f"{ctx.get('academic_year')} учебный год",
    )
    b.para(
        f"Отчёт составлен {_d(ctx.get('compiled_on'))} по аналитическим отчётам участников "
        "программы для рассмотрения на заседании совета.",
        indent=True,
    )
    platforms = ctx.get("platforms", [])
    b.para("1. Сводные показатели сети", bold=True)
    b.table(
        ["Показатель", "Всего по сети"],
        [(t["label"], t["value"]) for t in ctx.get("totals", [])]
        + [("Участников, отчёты которых приняты", len(platforms))],
    )
    b.para("2. Показатели по площадкам", bold=True)
    b.table(
        ["Площадка", "Тема", "Мероприятий", "Молодых педагогов", "ОО-участников", "Наставников"],
        [
            (
                p["organisation"],
                p.get("topic", ""),
                p["events_held"],
                p["young_teachers"],
                p["schools"],
                p["mentors"],
            )
            for p in platforms
        ],
    )
    b.para("3. Продукты деятельности, проблемы и предложения", bold=True)
    b.table(
        ["Площадка", "Продукты и распространение опыта", "Проблемы", "Предложения"],
        [
            (
                p["organisation"],
                "; ".join(x for x in (p.get("outputs"), p.get("dissemination")) if x),
                p.get("problems", ""),
                p.get("proposals", ""),
            )
            for p in platforms
        ],
    )
    deviations = [(p["organisation"], d) for p in platforms for d in p.get("deviations", [])]
    if deviations:
        b.para("4. Отклонения от планов", bold=True)
        b.table(
            ["Площадка", "Мероприятие", "Отклонение", "Причина"],
            [(org, d["event"], d["deviation"], d.get("reason", "")) for org, d in deviations],
        )
    if ctx.get("missing"):
        b.para("Площадки, отчёты которых не приняты", bold=True)
        b.table(
            ["Площадка", "Состояние"], [(m["organisation"], m["state"]) for m in ctx["missing"]]
        )
    b.signature([("Отчёт составил", ctx.get("compiled_by", ""))])


def _cooperation_agreement(b, ctx):
    supplementary = ctx.get("supplementary")
    b.header(ctx, "ДОПОЛНИТЕЛЬНОЕ СОГЛАШЕНИЕ" if supplementary else "ДОГОВОР", ctx.get("title"))
    parts = []
    for p in ctx.get("parties", []):
        text = f"{p['name']} ({p['role_label']})"
        if p.get("signer_name"):
            text += (
                f" в лице {p.get('signer_position') or 'уполномоченного лица'} {p['signer_name']}"
            )
        parts.append(text)
    b.para(
        "; ".join(parts)
        + ", далее вместе именуемые «Стороны», заключили настоящ"
        + (
            "ее дополнительное соглашение к договору о сотрудничестве"
            if supplementary
            else "ий договор"
        )
        + " о нижеследующем:",
        indent=True,
    )
    if supplementary:
        names = ", ".join(p["name"] for p in ctx.get("new_parties", []))
        b.para("1. Присоединение к Договору", bold=True)
        b.para(
            "1.1. Стороны договорились включить в число Сторон Договора в качестве партнёра "
            f"(партнёров): {names}.",
            indent=True,
        )
        b.para(
            "1.2. Присоединившаяся Сторона принимает на себя права и обязанности партнёра, "
            "предусмотренные разделом 2 Договора, с даты регистрации настоящего соглашения.",
            indent=True,
        )
        b.para("2. Заключительные положения", bold=True)
        b.para(
            f"2.1. Соглашение является неотъемлемой частью Договора и действует до "
            f"{_d(ctx.get('valid_until'))} включительно.",
            indent=True,
        )
    else:
        b.para("1. Предмет Договора", bold=True)
        b.para(
            f"1.1. Предметом Договора является сотрудничество Сторон в рамках программы "
            f"«{ctx.get('program_title', '')}» на базе организации — "
            f"{ctx.get('organisation', '')}"
            + (f" по теме «{ctx['topic']}»" if ctx.get("topic") else "")
            + ".",
            indent=True,
        )
        if ctx.get("subject"):
            b.para(f"1.3. {ctx['subject']}", indent=True)
        b.para("2. Обязанности Сторон", bold=True)
        b.para(
            "2.1. Организация ежегодно представляет план работы, проводит мероприятия "
            "программы и представляет аналитический отчёт.",
            indent=True,
        )
        b.para(
            f"2.2. {ctx.get('office_name') or 'Методический центр'} обеспечивает методическое "
            "сопровождение по плану работы организации.",
            indent=True,
        )
        b.para(
            "2.3. Партнёры участвуют в подготовке и проведении мероприятий программы.", indent=True
        )
        b.para("3. Срок действия Договора", bold=True)
        b.para(
            f"3.1. Договор действует по {_d(ctx.get('valid_until'))} — до окончания срока "
            f"действия статуса (с {_d(ctx.get('valid_from'))}).",
            indent=True,
        )
        b.para("4. Заключительные положения", bold=True)
        b.para(
            "4.1. Новый партнёр присоединяется к Договору дополнительным соглашением, "
            "подписываемым всеми Сторонами.",
            indent=True,
        )
    b.para("Подписи Сторон", bold=True)
    b.signature(
        [
            (f"{p['role_label']}: {p['name']}", p.get("signer_name") or "______________")
            for p in ctx.get("parties", [])
        ]
    )


def _audit_checkpoint(b, ctx):
    b.header(ctx, "КОНТРОЛЬНАЯ ТОЧКА", "журнала аудита Docket")
    b.para(
        "Настоящим фиксируется состояние журнала аудита на момент контрольной точки. "
        "Удаление, изменение или подмена событий, вошедших в неё, обнаруживается командой "
        "verify_audit.",
        indent=True,
    )
    b.labelled("Номер контрольной точки:", ctx.get("checkpoint"))
    b.labelled("Дата и время:", ctx.get("at_text") or _d(ctx.get("at")))
    b.labelled("Событий в журнале:", ctx.get("event_count"))
    b.labelled("Последнее событие:", f"№ {ctx.get('head_id')}")
    b.labelled("HMAC последнего события:", ctx.get("head_mac"))
    b.labelled("HMAC предыдущей контрольной точки:", ctx.get("prev_mac"))


_BUILDERS = {
    "audit_checkpoint": _audit_checkpoint,
    "work_plan": _work_plan,
    "platform_report": _platform_report,
    "network_report": _network_report,
    "cooperation_agreement": _cooperation_agreement,
    "application": _application,
    "protocol": _protocol,
    "protocol_extract": lambda b, ctx: _protocol(b, ctx, extract=True),
    "order": _order,
    "status_certificate": _status_certificate,
    "refusal_letter": _refusal_letter,
}


def render_docx(*, form: str, context: dict) -> bytes:
    builder = _Builder()
    _BUILDERS[form](builder, context)
    builder.qr(context)
    return builder.bytes()
