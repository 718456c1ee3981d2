"""The demo programmes' regulations as data, in one place for every command that creates them.

`seed_demo` and `simulate_lifecycle` both create the Tomsk programme and its council when they
are missing; two copies of these values drifted apart once (the Tomsk council's yearly minimum
of meetings was left at 0, "no minimum"). Each programme is a folder under
`programmes/definitions/`: `programme.json` (its settings, its council's rules and the clause
of the regulation behind each), its application form, and its own print-form templates.
"""

import json
from pathlib import Path

DEFINITIONS = Path(__file__).resolve().parents[1] / "programmes/definitions"


def _load(path: str) -> dict:
    return json.loads((DEFINITIONS / path).read_text(encoding="utf-8"))


_TOMSK = _load("tomsk/programme.json")
TOMSK_CODE = _TOMSK["code"]
TOMSK_PROGRAM = _TOMSK["program"]
TOMSK_COUNCIL = _TOMSK["council"]
# Приложение 1 as data (programmes.formdef): version 1 of the Tomsk application form.
TOMSK_FORM = _load("tomsk/application_form_v1.json")

_KLIN = _load("klin/programme.json")
KLIN_CODE = _KLIN["code"]
KLIN_PROGRAM = _KLIN["program"]
KLIN_COUNCIL = _KLIN["council"]
KLIN_DUTIES = _KLIN["duty_schedule"]
# Clause 1.1's membership criteria as a form: a teacher applies in his own name.
KLIN_FORM = _load("klin/application_form_v1.json")

# A contest no code was written for (a teacher applies in his own name; the jury settles it):
# the demo shows a third kind of programme beside the network and the workshop.
_DEBUT = _load("debut/programme.json")
DEBUT_CODE = _DEBUT["code"]
DEBUT_PROGRAM = _DEBUT["program"]
DEBUT_COUNCIL = _DEBUT["council"]
DEBUT_DUTIES = _DEBUT["duty_schedule"]
DEBUT_FORM = _load("debut/application_form_v1.json")
