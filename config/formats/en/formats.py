"""English pages show dates as дд.мм.гггг too: the documents they describe are Russian."""

from config.formats.ru.formats import *  # noqa: F403
