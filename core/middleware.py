from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DocketLocaleMiddleware(LocaleMiddleware):
    """Pages are Russian unless the person picks English in the switch (a cookie).

    A browser set to English is not a choice: these are Russian offices' documents. API clients
    do choose, by Accept-Language, so the API keeps Django's usual negotiation.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None
