"""Russian grammar the documents need: a person's full name in the dative («присвоен статус
Подгорновой Евдокии Игнатьевне»), by pymorphy3 and its OpenCorpora dictionary."""

import functools

_ROLES = ("Surn", "Name", "Patr")


@functools.cache
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def _gender(first: str, middle: str) -> str | None:
    """masc or femn, from the patronymic (surest) or the first name."""
    for word, role in ((middle, "Patr"), (first, "Name")):
        for parse in _morph().parse(word) if word else []:
            if role in parse.tag and parse.tag.gender in ("masc", "femn"):
                return parse.tag.gender
    return None


def _word_in(word: str, role: str, gender: str | None, case: str) -> str:
    """One part of a name in `case` (datv, gent…); unchanged when the dictionary cannot tell
    (an indeclinable surname such as Шевченко or Белых stays as it is)."""
    if "-" in word:
        return "-".join(_word_in(part, role, gender, case) for part in word.split("-"))
    for parse in _morph().parse(word):
        tag = parse.tag
        same_gender = gender is None or "Ms-f" in tag or tag.gender == gender
        if role in tag and "nomn" in tag and same_gender:
            inflected = parse.inflect({case})
            if inflected is None:
                return word
            shown = inflected.word
            return shown[:1].upper() + shown[1:] if word[:1].isupper() else shown
    return word


def full_name_in(case: str, last: str, first: str, middle: str = "") -> str:
    """A full name in a grammatical case: «datv» (кому), «gent» (кого, чего)."""
    gender = _gender(first, middle)
    parts = [
        _word_in(word, role, gender, case)
        for word, role in zip((last, first, middle), _ROLES, strict=True)
        if word
    ]
    return " ".join(parts)


def dative_full_name(last: str, first: str, middle: str = "") -> str:
    """«Подгорнова Евдокия Игнатьевна» → «Подгорновой Евдокии Игнатьевне»."""
    return full_name_in("datv", last, first, middle)


def genitive_full_name(last: str, first: str, middle: str = "") -> str:
    """«Лаврова Ольга Петровна» → «Лавровой Ольги Петровны» (о деятельности кого)."""
    return full_name_in("gent", last, first, middle)
