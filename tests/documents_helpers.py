"""Contexts of the six print forms as the apps produce them, and PDF/QR readers for tests."""

import datetime
import io

AUTHORITY = "Департамент образования администрации Города Томска"


def printform_context(form: str) -> dict:
    """A complete context of `form` (protocol keys exactly as the council produces them)."""
    protocol = {
        "authority": AUTHORITY,
        "title": "Заседание координационного совета",
        "number": "7",
        "date": datetime.date(2026, 11, 18),
        "place": "г. Томск",
        "format": "очное",
        "chair": "Петров Пётр Петрович",
        "secretary": "Сидорова Анна Ивановна",
        "present": ["Петров П. П.", "Сидорова А. И.", "Кузнецов К. К."],
        "present_count": 3,
        "invited": ["Иванова М. П."],
        "agenda": ["О присвоении статуса МАОУ СОШ № 5", "Разное"],
        "items": [
            {
                "number": 1,
                "title": "О присвоении статуса МАОУ СОШ № 5",
                "heard": "Иванову М. П. о заявке",
                "spoke": "Кузнецов К. К.",
                "decided": "Присвоить статус сетевой площадки",
                "votes_for": 3,
                "votes_against": 0,
                "abstained": 0,
            }
        ],
    }
    contexts = {
        "application": {
            "authority": AUTHORITY,
            "program_title": "Муниципальная сеть «Молодой специалист»",
            "organisation": "МАОУ СОШ № 5 г. Томска",
            "address": "г. Томск, ул. Ленина, 1",
            "topic": "Наставничество как ресурс адаптации",
            "direction": "Профессиональная компетентность",
            "goals": "Развитие молодых учителей",
            "tasks": "Семинары",
            "expected_results": "Рост компетентности",
            "responsible_name": "Иванова Мария Петровна",
            "responsible_position": "Заместитель директора",
            "responsible_phone": "+7 3822 00-00-00",
            "responsible_email": "school@example.org",
            "partners": ["ТГПУ"],
            "events": [{"year_index": 1, "title": "Семинар", "timing": "октябрь", "audience": ""}],
            "place": "г. Томск",
        },
        "protocol": protocol,
        "protocol_extract": protocol,
        "order": {
            "authority": AUTHORITY,
            "title": "О присвоении статуса сетевой площадки",
            "place": "г. Томск",
            "preamble": "На основании решения координационного совета (протокол № 7 от 18.11.2026)",
            "statuses": [
                {
                    "organisation": "МАОУ СОШ № 5 г. Томска",
                    "topic": "Наставничество",
                    "status_name": "Сетевая площадка «Молодой специалист»",
                    "valid_from": datetime.date(2026, 11, 20),
                    "valid_until": datetime.date(2029, 8, 31),
                }
            ],
            "signer_position": "Начальник департамента",
            "signer_name": "Орлова Ольга Олеговна",
        },
        "status_certificate": {
            "authority": AUTHORITY,
            "organisation": "МАОУ СОШ № 5 г. Томска",
            "status_name": "Сетевая площадка «Молодой специалист»",
            "topic": "Наставничество",
            "program_title": "Муниципальная сеть «Молодой специалист»",
            "valid_from": datetime.date(2026, 11, 20),
            "valid_until": datetime.date(2029, 8, 31),
            "order_number": "125-р",
            "order_date": datetime.date(2026, 11, 20),
            "signer_position": "Начальник департамента",
            "signer_name": "Орлова Ольга Олеговна",
            "place": "г. Томск",
        },
        "refusal_letter": {
            "authority": AUTHORITY,
            "addressee": "Директору МАОУ СОШ № 5",
            "organisation": "МАОУ СОШ № 5 г. Томска",
            "application_number": "ЗСП-2026/0007",
            "application_date": datetime.date(2026, 11, 2),
            "reasons": "Не представлен план мероприятий на третий год",
            "signer_position": "Начальник департамента",
            "signer_name": "Орлова Ольга Олеговна",
            "place": "г. Томск",
        },
    }
    report_events = [
        {
            "title": "Семинар «Первые шаги»",
            "planned": "октябрь",
            "held_on": datetime.date(2026, 10, 14),
            "participants": 24,
            "result": "Методические рекомендации",
            "deviation": "",
            "reason": "",
        },
        {
            "title": "Мастер-класс наставников",
            "planned": "март",
            "held_on": None,
            "participants": None,
            "result": "",
            "deviation": "Перенесён на апрель",
            "reason": "Карантин",
        },
    ]
    submission = {
        "authority": AUTHORITY,
        "program_title": "Муниципальная сеть «Молодой специалист»",
        "status_name": "Сетевая площадка «Молодой специалист»",
        "organisation": "МАОУ СОШ № 5 г. Томска",
        "topic": "Наставничество как ресурс адаптации",
        "academic_year": "2026/27",
        "year_index": 1,
        "submission_number": 1,
        "submitted_on": datetime.date(2027, 5, 25),
        "summary": "Площадка провела запланированные мероприятия",
        "events": report_events,
        "responsible_name": "Иванова М. П.",
        "place": "г. Томск",
    }
    contexts["work_plan"] = submission
    contexts["platform_report"] = {
        **submission,
        "counts": [
            {"label": "Проведено сетевых мероприятий", "value": 4},
            {"label": "Молодых педагогов — участников мероприятий", "value": 37},
            {"label": "Образовательных организаций — участников", "value": 6},
            {"label": "Наставников", "value": 5},
        ],
        "outputs": "Сборник методических материалов",
        "dissemination": "Выступление на городской конференции",
        "problems": "Нет актового зала",
        "proposals": "Проводить семинары в ИМЦ",
    }
    contexts["network_report"] = network_report_context_sample()
    parties = [
        {
            "role": "school",
            "role_label": "Сетевая площадка",
            "name": "МАОУ СОШ № 5 г. Томска",
            "signer_position": "Директор",
            "signer_name": "Иванова М. П.",
            "paper": False,
        },
        {
            "role": "office",
            "role_label": "Методический центр",
            "name": "МАУ ИМЦ г. Томска",
            "signer_position": "Методист",
            "signer_name": "Соколова Е. В.",
            "paper": False,
        },
        {
            "role": "partner",
            "role_label": "Партнёр",
            "name": "ТГПУ",
            "signer_position": "Проректор",
            "signer_name": "Кузнецов К. К.",
            "paper": True,
        },
    ]
    contexts["cooperation_agreement"] = {
        "authority": AUTHORITY,
        "title": "о сотрудничестве в рамках муниципальной сети",
        "program_title": "Муниципальная сеть «Молодой специалист»",
        "status_name": "Сетевая площадка «Молодой специалист»",
        "organisation": "МАОУ СОШ № 5 г. Томска",
        "topic": "Наставничество",
        "office_name": "МАУ ИМЦ г. Томска",
        "order_number": "125-р",
        "order_date": datetime.date(2026, 11, 20),
        "valid_from": datetime.date(2026, 11, 20),
        "valid_until": datetime.date(2029, 8, 31),
        "place": "г. Томск",
        "parties": parties,
        "subject": "",
        "supplementary": False,
    }
    contexts["audit_checkpoint"] = {
        "authority": AUTHORITY,
        "checkpoint": 3,
        "at": datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC),
        "at_text": "20.11.2026 17:00:00 +07",
        "event_count": 1234,
        "head_id": 1240,
        "head_mac": "ab" * 32,
        "prev_mac": "cd" * 32,
    }
    contexts["publication_consent"] = {
        "authority": "МУ «Методический кабинет»",
        "author": "Лаврова Ольга Петровна",
        "author_position": "учитель начальных классов",
        "title": "Проектные задачи во 2 классе",
        "authors": "Лаврова О. П., Никитин А. С.",
        "program_title": "«Мастерская наставничества» городского округа Клин",
        "catalogue": "http://127.0.0.1:8000/public/practices/",
        "place": "г. Клин",
    }
    return contexts[form]


def network_report_context_sample() -> dict:
    """The network report's context as `statuses.paperwork` builds it from a snapshot."""
    from statuses.paperwork import COUNT_LABELS, _chart_rows

    platforms = [
        {
            "organisation": org,
            "topic": "Наставничество",
            "events_held": events,
            "young_teachers": young,
            "schools": 3,
            "mentors": 5,
            "events_listed": 1,
            "deviations": [{"event": "Семинар", "deviation": "Перенесён", "reason": "Карантин"}],
            "outputs": "Сборник",
            "dissemination": "Конференция",
            "problems": "Нет зала",
            "proposals": "Больше семинаров",
        }
        for org, events, young in (("МАОУ СОШ № 5", 4, 30), ("МАОУ гимназия № 6", 2, 12))
    ]
    totals = {
        name: sum(p[name] for p in platforms)
        for name in ("events_held", "young_teachers", "schools", "mentors")
    }
    data = {"academic_year": 2026, "platforms": platforms, "totals": totals, "missing": []}
    return {
        "authority": AUTHORITY,
        "program_title": "Муниципальная сеть «Молодой специалист»",
        "council_name": "Координационный совет",
        "academic_year": "2026/27",
        "compiled_on": datetime.date(2027, 6, 20),
        "compiled_by": "Соколова Е. В.",
        "platforms": platforms,
        "totals": [{"label": label, "value": totals[name]} for name, label in COUNT_LABELS.items()],
        "charts": _chart_rows(data),
        "missing": [{"organisation": "МАОУ СОШ № 7", "state": "Не представлен"}],
        "place": "г. Томск",
    }


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pdf_qr_texts(data: bytes) -> list[str]:
    """Rasterise every page as a phone camera would see it and decode the QR codes on it."""
    import pypdfium2
    import zxingcpp

    texts = []
    pdf = pypdfium2.PdfDocument(data)
    for page in pdf:
        image = page.render(scale=3).to_pil()
        texts.extend(r.text for r in zxingcpp.read_barcodes(image))
    return texts


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def pdf_xmp(data: bytes) -> bytes:
    """The XMP metadata stream (where PDF/A declares its part and conformance)."""
    from pypdf import PdfReader

    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    return root["/Metadata"].get_object().get_data()


def pdf_fonts_embedded(data: bytes) -> bool:
    """Every font of every page carries its font program (PDF/A needs them embedded)."""
    from pypdf import PdfReader

    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return False
    return True


def pdfsig_report(pdf: bytes, *, ca_pem: str, tmp_path) -> str:
    """poppler's pdfsig, an independent validator (NSS), with our CA as the only trusted root.

    Skips (fails in CI) when poppler-utils or NSS's certutil are not installed."""
    import shutil
    import subprocess

    from tests.conftest import require_server

    if not (shutil.which("pdfsig") and shutil.which("certutil")):
        require_server("pdfsig (poppler-utils) and certutil (libnss3-tools) are not installed")
    nss = tmp_path / "nss"
    nss.mkdir(exist_ok=True)
    (tmp_path / "ca.pem").write_text(ca_pem)
    (tmp_path / "doc.pdf").write_bytes(pdf)
    password = tmp_path / "nss-password"
    password.write_text("docket-test\n")  # certutil refuses an empty one without a terminal
    for args in (
        ["-N", "-f", str(password)],
        [
            "-A",
            "-f",
            str(password),
            "-n",
            "docket-ca",
            "-t",
            "C,C,C",
            "-i",
            str(tmp_path / "ca.pem"),
        ],
    ):
        # stdin closed: certutil otherwise waits for a password prompt answer forever.
        done = subprocess.run(
            ["certutil", "-d", f"sql:{nss}", *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        assert done.returncode == 0, f"certutil {args[0]}: {done.stdout}{done.stderr}"
    proc = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(tmp_path / "doc.pdf")],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=60,
    )
    return proc.stdout + proc.stderr


def pdf_last_page_shown(data: bytes) -> str:
    """The last page's text as a reader sees it, annotations' appearances (signature stamps)
    included: poppler's pdftotext (pypdf reads only the page's own content)."""
    import shutil
    import subprocess
    import tempfile

    from pypdf import PdfReader

    from tests.conftest import require_server

    if not shutil.which("pdftotext"):
        require_server("pdftotext (poppler-utils) is not installed")
    last = str(len(PdfReader(io.BytesIO(data)).pages))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        done = subprocess.run(
            ["pdftotext", "-f", last, "-l", last, handle.name, "-"],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    return done.stdout


def pdf_signature_widgets(data: bytes) -> dict[str, dict]:
    """Signature fields shown on the last page: name -> {rect (llx, lly, urx, ury), flags, font}
    where font is the stamp's embedded font dictionary (None without an appearance)."""
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(data)).pages[-1]
    widgets = {}
    for ref in page.get("/Annots", []):
        annot = ref.get_object()
        if annot.get("/FT") != "/Sig":
            continue
        font = None
        appearance = annot.get("/AP", {}).get("/N")
        if appearance is not None:
            fonts = appearance.get_object()["/Resources"].get("/Font", {})
            font = next(iter(fonts.values())).get_object() if fonts else None
        widgets[str(annot["/T"])] = {
            "rect": tuple(float(v) for v in annot["/Rect"]),
            "flags": int(annot.get("/F", 0)),
            "font": font,
        }
    return widgets
