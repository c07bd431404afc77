# Regiekamer als container (docs/beheer.md). Twee fasen: de eerste bouwt het wiel uit de broncode, de tweede
# installeert dat wiel (niet editable, zonder broncode) in een kale python:3.11-slim en draait als gewone gebruiker.
#
#   docker build -t regiekamer .                       # of: --build-arg EXTRAS=otel voor OpenTelemetry
#   docker run --rm -p 8000:8000 \
#     -e DATABASE_URL=postgresql+asyncpg://regiekamer:...@db:5432/regiekamer \
#     -e REGIEKAMER_JWKS_URL=https://idp.example/realms/regio/protocol/openid-connect/certs \
#     -e REGIEKAMER_PSEUDONIEM_SLEUTEL=... regiekamer
#
# Instellingen komen uit de omgeving, nooit uit het image: DATABASE_URL, REGIEKAMER_JWKS_URL of
# REGIEKAMER_JWT_PUBLIC_KEY, REGIEKAMER_PSEUDONIEM_SLEUTEL (gelijk voor alle replica's), REGIEKAMER_METRICS(_TOKEN).

FROM python:3.11-slim AS bouw
WORKDIR /bron
RUN pip install --no-cache-dir --upgrade pip
COPY pyproject.toml ./
COPY api ./api
COPY domein ./domein
COPY beleid ./beleid
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wielen .

FROM python:3.11-slim
ARG EXTRAS=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REGIEKAMER_LOG_FORMAAT=json \
    REGIEKAMER_DATA_MAP=/var/lib/regiekamer/data
COPY --from=bouw /wielen /tmp/wielen
RUN wiel="$(ls /tmp/wielen/regiekamer-*.whl)" \
    && pip install --no-cache-dir "${wiel}${EXTRAS:+[$EXTRAS]}" \
    && rm -rf /tmp/wielen \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/regiekamer regiekamer
USER regiekamer
WORKDIR /var/lib/regiekamer
EXPOSE 8000
# /ready: de database antwoordt, staat op de nieuwste migratie en neemt schrijfopdrachten aan.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=4)"]
ENTRYPOINT ["regiekamer"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
