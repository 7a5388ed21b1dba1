# syntax=docker/dockerfile:1
# Hearth: one image for the web app (gunicorn), the Celery worker and Celery beat.
#   docker build -t hearth .
#   docker run hearth web | worker | beat | migrate      (see bin/container and compose.yaml)
ARG PYTHON_VERSION=3.11

# --- builder: a virtualenv with the pinned requirements ---------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-compile -r /tmp/requirements.txt

# --- runtime: slim, non-root, static files collected ------------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=server.settings.base \
    MEDIA_ROOT=/app/media \
    PORT=8000 \
    WEB_CONCURRENCY=3
RUN groupadd --system --gid 10001 hearth \
 && useradd --system --uid 10001 --gid hearth --no-create-home --shell /usr/sbin/nologin hearth
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . /app
# collectstatic needs settings to load; these dummy values exist only for this build step.
RUN DEBUG=false \
    SECRET_KEY=collectstatic-only-not-a-secret \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    STRIPE_SECRET_KEY=sk_test_build STRIPE_PUBLISHABLE_KEY=pk_test_build STRIPE_WEBHOOK_SECRET=whsec_build \
    python manage.py collectstatic --noinput -v 0 \
 && mkdir -p /app/media \
 && chown hearth:hearth /app/media
USER hearth
EXPOSE 8000
ENTRYPOINT ["/app/bin/container"]
CMD ["web"]
