"""A person's full name in the dative for the certificate («присвоен … Лавровой Ольге
Петровне»): declinable names declined by gender, indeclinable surnames kept as they are."""

import pytest

from core.russian import dative_full_name


@pytest.mark.parametrize(
    ("name", "dative"),
    [
        (("Подгорнова", "Евдокия", "Игнатьевна"), "Подгорновой Евдокии Игнатьевне"),
        (("Никитин", "Андрей", "Сергеевич"), "Никитину Андрею Сергеевичу"),
        (("Белых", "Марина", "Олеговна"), "Белых Марине Олеговне"),
        (("Шевченко", "Тарас", "Григорьевич"), "Шевченко Тарасу Григорьевичу"),
        (("Римский-Корсаков", "Николай", "Андреевич"), "Римскому-Корсакову Николаю Андреевичу"),
        (("Ким", "Анна", ""), "Ким Анне"),
        (("Ким", "Олег", "Сергеевич"), "Киму Олегу Сергеевичу"),
    ],
)
def test_a_full_name_in_the_dative(name, dative):
    assert dative_full_name(*name) == dative


def test_a_name_that_opens_with_its_own_quotes_is_not_quoted_twice():
    from core.text import quoted

    assert quoted("Молодой специалист") == "«Молодой специалист»"
    assert quoted("«Мастерская наставничества» городского округа Клин") == (
        "«Мастерская наставничества» городского округа Клин"
    )
    assert quoted("") == ""
