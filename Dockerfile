FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN useradd --create-home --uid 1000 thrive
COPY pyproject.toml README.md requirements.lock ./
COPY thrive_site thrive_site
COPY projects projects
COPY phases phases
COPY toolkit toolkit
COPY measures measures
# Exactly the pinned releases, hashes checked (make lock writes requirements.lock).
RUN pip install --require-hashes --no-deps -r requirements.lock && pip install --no-deps .
COPY . .
# collectstatic needs settings that import; the real key comes from the environment at run time.
# The project compiled to bytecode here, as pip compiles the packages: PYTHONDONTWRITEBYTECODE
# means no process writes it later, so each would compile every module it imports.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only-not-used-at-run-time \
    python manage.py collectstatic --noinput \
 && python -m compileall -q -j 0 manage.py thrive_site projects phases toolkit measures \
 && mkdir -p /data/media && chown -R thrive /data /app
USER thrive
EXPOSE 8000
CMD ["gunicorn", "thrive_site.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
