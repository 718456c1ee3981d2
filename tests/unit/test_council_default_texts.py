"""The prefilled РЕШИЛИ of an item says what adopting means for its kind of case."""

from django.utils import translation

from councils import paper
from councils.models import AgendaItem


def _decided(kind, outcome):
    item = AgendaItem(kind=kind, number=1, title="Вопрос")
    with translation.override("ru"):
        return paper.default_texts(item, outcome=outcome)["decided"]


def test_each_kind_has_its_own_decision_text():
    adopted, not_adopted = AgendaItem.Outcome.ADOPTED, AgendaItem.Outcome.NOT_ADOPTED
    assert _decided(AgendaItem.Kind.REPORT, adopted) == "Принять отчёт."
    assert _decided(AgendaItem.Kind.REPORT, not_adopted).startswith("Вернуть отчёт на доработку")
    assert _decided(AgendaItem.Kind.TERMINATION, not_adopted) == "Не прекращать статус досрочно."
    assert _decided(AgendaItem.Kind.PROBLEM, adopted).startswith("Принять к сведению")
    assert _decided(AgendaItem.Kind.FREE, adopted) != _decided(AgendaItem.Kind.REPORT, adopted)
    assert "Перенести" in _decided(AgendaItem.Kind.REPORT, AgendaItem.Outcome.POSTPONED)


def test_where_the_council_settles_cases_its_decision_sends_nothing_to_an_order():
    from councils.models import Council, Meeting
    from programmes.models import Program

    for shape, expected in (
        ("check_council", "Присвоить статус."),
        (
            "check_council_order",
            "Присвоить статус; направить решение на утверждение распоряжением.",
        ),
    ):
        meeting = Meeting(council=Council(program=Program(review_shape=shape)))
        item = AgendaItem(
            kind=AgendaItem.Kind.APPLICATION, number=1, title="Заявка", meeting=meeting
        )
        with translation.override("ru"):
            decided = paper.default_texts(item, outcome=AgendaItem.Outcome.ADOPTED)["decided"]
        assert decided == expected
    item = AgendaItem(
        kind=AgendaItem.Kind.TERMINATION,
        number=1,
        title="Прекращение",
        meeting=Meeting(council=Council(program=Program(review_shape="check_council"))),
    )
    with translation.override("ru"):
        assert paper.default_texts(item, outcome=AgendaItem.Outcome.ADOPTED)["decided"] == (
            "Досрочно прекратить статус."
        )
