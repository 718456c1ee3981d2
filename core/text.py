"""Small rules of Russian typography the documents share."""


def quoted(value) -> str:
    """«…» around a name, unless it opens with its own quotes already: «Мастерская
    наставничества» городского округа Клин is not quoted twice."""
    text = str(value or "").strip()
    if not text or text.startswith("«"):
        return text
    return f"«{text}»"
