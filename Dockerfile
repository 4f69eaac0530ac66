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
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
USER app
EXPOSE 8000
CMD ["gunicorn", "cms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
