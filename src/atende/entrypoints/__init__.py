"""Translate functions-framework requests and CloudEvents into service calls."""
