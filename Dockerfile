# Docket's production image: web (gunicorn), Celery worker and beat all run from it.
# Build: docker compose build (or docker build -t docket .). See docs/operations.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DOCKET_VAR_DIR=/app/var

WORKDIR /app

# WeasyPrint renders print forms with Pango/HarfBuzz and embeds DejaVu fonts (PDF/A needs every
# font embedded); poppler-utils (pdfsig) and libnss3-tools (certutil) let the tests and the
# operators check a signed PDF with a validator independent of pyHanko.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fontconfig \
        fonts-dejavu-core poppler-utils libnss3-tools \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that a code change does not reinstall them: the ranges come from
# pyproject.toml, the exact versions from constraints.txt (runtime only, no dev tools).
COPY pyproject.toml constraints.txt ./
COPY scripts/pyproject_deps.py scripts/
RUN python scripts/pyproject_deps.py > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && pip check \
    && rm /tmp/requirements.txt

RUN groupadd --system --gid 10001 docket \
    && useradd --system --uid 10001 --gid docket --home-dir /app --no-create-home docket

COPY . .

# Static files are collected at build time: production settings need a key and hosts to
# import, so give them throwaway ones that never reach a running container. var/media is
# created here so that the named volume mounted on it starts owned by the docket user.
RUN SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdef \
    DOCUMENTS_KEY_ENCRYPTION_KEY=collectstatic-only-not-a-secret-0123456789abcdef \
    AUDIT_HMAC_KEY=collectstatic-only-not-a-secret-0123456789abcdef \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && rm -rf var/broker var/mail var/docket.sqlite3 \
    && mkdir -p var/media \
    && chown -R docket:docket var

USER docket

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind=0.0.0.0:8000", "--access-logfile=-", \
     "--access-logformat=%(h)s %(l)s %(u)s %(t)s \"%(r)s\" %(s)s %(b)s \"%(f)s\" \"%(a)s\" %({x-request-id}o)s"]
