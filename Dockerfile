# The collector and the bot share one image; docker-compose.yml runs them as two services.
FROM python:3.11-slim

# WeasyPrint renders PDFs with Pango; fonts so the report has glyphs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 maa
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY collector ./collector
COPY models ./models
COPY report ./report
RUN pip install --no-cache-dir .

USER maa
ENV MAA_HOST=0.0.0.0 MAA_PORT=8080
EXPOSE 8080
CMD ["maa", "serve", "--no-bot"]
