# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DUET_VAR_DIR=/var/lib/duet
WORKDIR /app
# WeasyPrint (signed intake documents as PDF) renders text through Pango and HarfBuzz.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
RUN pip install --no-cache-dir . && useradd --system --home /app duet \
    && mkdir -p /var/lib/duet && chown duet /var/lib/duet
COPY . .
RUN DUET_VAR_DIR=/tmp/build SECRET_KEY=build-only-secret-key-not-used-at-runtime-000 \
    sh -c "python manage.py compile_catalogs && python manage.py collectstatic --noinput"
USER duet
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "config.asgi:application"]
