"""What the demo programmes' regulations fix, in one place for every command that creates them.

`seed_demo` and `simulate_lifecycle` both create the Tomsk programme and its council when they
are missing; two copies of these values drifted apart once (the Tomsk council's yearly minimum
of meetings was left at 0, "no minimum"). The clause of each value is named next to it:
Tomsk — «Положение о муниципальной сети города Томска по методическому сопровождению молодых
педагогов»; Klin — «Положение о „Мастерской наставничества“» (приказ от 10.09.2020 № 24-3).
"""

import json
from pathlib import Path

TOMSK_CODE = "tomsk-ms"
# Приложение 1 as data (programmes.formdef): version 1 of the Tomsk application form.
TOMSK_FORM = json.loads(
    (
        Path(__file__).resolve().parents[1]
        / "programmes/definitions/tomsk/application_form_v1.json"
    ).read_text(encoding="utf-8")
)
TOMSK_PROGRAM = {
    "title": "Муниципальная сеть города Томска по методическому сопровождению молодых педагогов",
    "council_name": "Координационный совет",  # II.2
    "authority_name": "Департамент образования администрации Города Томска",  # II.1, III.2
    "status_name": "Статус сетевой площадки «Молодой специалист»",
    "status_term_years": 3,  # III.2: «Статус устанавливается на 3 учебных года»
    "academic_year_start_month": 9,
    "registration_prefix": "ЗСП",
    "document_place": "г. Томск",
    # III.2: the council's decision is approved by an order of the department.
    "review_shape": "check_council_order",
    # The platform works under a cooperation agreement with МАУ ИМЦ and its partners.
    "drafts_agreement": True,
}
TOMSK_COUNCIL = {
    # II.4: «заседания ... проводятся по мере необходимости, но не реже одного раза в год»
    "min_meetings_per_year": 1,
}

KLIN_CODE = "klin-mn"
KLIN_PROGRAM = {
    "title": "«Мастерская наставничества» городского округа Клин",
    "council_name": "Методический совет «Мастерской наставничества»",
    "authority_name": "МУ «Методический кабинет»",
    "status_name": "Членство в «Мастерской наставничества»",
    "status_term_years": 1,
    "registration_prefix": "МН",
    # Membership is settled by the methodical council's decision; no order follows it.
    "review_shape": "check_council",
    "drafts_agreement": False,
}
KLIN_COUNCIL = {
    # 4.6: «Заседания группы проводятся не менее 3-х раз в год»
    "min_meetings_per_year": 3,
}
