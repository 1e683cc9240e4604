"""The JSON API: routes declared with their models, so the OpenAPI document is generated."""
