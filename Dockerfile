# syntax=docker/dockerfile:1
# The OCP image: one image for the release step, the web processes and the arq workers
# (Procfile, docker-compose.yml). Its default command is the Procfile's `web` line.

# --- build: the project and its locked dependencies into a virtualenv --------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# setuptools reads README.md (the project's readme) while building
COPY pyproject.toml README.md ./
COPY ocp/ ocp/
COPY workers/ workers/
# [prod] adds uvloop
RUN pip install ".[prod]"

# --- runtime --------------------------------------------------------------------------------
FROM python:3.11-slim
# ffmpeg brings ffprobe: durations (and video sizes) of uploaded audio and video
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*
# An unprivileged user; /data/media is created here so that a fresh named volume mounted on it
# starts out owned by that user.
RUN groupadd --system --gid 10001 ocp \
    && useradd --system --uid 10001 --gid ocp --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin ocp \
    && mkdir -p /data/media \
    && chown -R ocp:ocp /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ocp/ ocp/
COPY workers/ workers/
# ocp/migrate.py finds the migrations next to the ocp package: PYTHONPATH=/app makes the
# copy in /app (beside migrations/) the one imported, by `python -m ocp` and `arq` alike.
COPY migrations/ migrations/
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OCP_DATA_DIR=/data \
    OCP_MEDIA_DIR=/data/media \
    PORT=8080
USER ocp
EXPOSE 8080
# Liveness of the web process (slim has no curl); compose gives the worker its own check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8080') + '/healthz', timeout=4)"]
# The Procfile's web line, through a shell so that $PORT and ${OCP_WEB_WORKERS:-2} expand;
# `exec` replaces the shell with the server, so the SIGTERM of `docker stop` reaches it (the
# shell would otherwise keep it as a child and not pass the signal on): a graceful shutdown.
CMD ["sh", "-c", "exec python -m ocp serve --host 0.0.0.0 --port $PORT --workers ${OCP_WEB_WORKERS:-2}"]
