# Production image: gunicorn serves the site, whitenoise the static files.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=cms.settings.production
WORKDIR /app
RUN useradd --create-home app
COPY pyproject.toml README.md ./
COPY cms ./cms
COPY cities ./cities
COPY practices ./practices
COPY search ./search
RUN pip install --no-cache-dir .
COPY . .
RUN apt-get update -q && apt-get install -y -q --no-install-recommends gettext && rm -rf /var/lib/apt/lists/* \
    && SECRET_KEY=build-only python manage.py compilemessages --verbosity 0 \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
USER app
EXPOSE 8000
# gunicorn.conf.py: cms.wsgi on :8000, WEB_CONCURRENCY workers (3), access log
# on stdout, no Server header.
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
