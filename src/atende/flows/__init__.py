"""Scripted conversations defined as data: menus, questions, identity checks, ERP calls, handoffs.

Used by the local engine (no Gemini key) and editable by admins: the repo's
JSON flows are the defaults, Firestore documents `flows/{id}` override them.
Texts are Jinja2 templates (`{{ business.name }}`, see `atende.templating`);
the format is documented in docs/flows.md.
"""
