"""Pub/Sub topic names, shared by the functions, the dev stack and Terraform's tests."""

INBOUND = "atende-inbound"
STATUS = "atende-status"
OUTBOUND = "atende-outbound"
AUTOMATION_TICK = "atende-automation-tick"
MEDIA = "atende-media"  # inbound media to fetch from Meta and keep, after the message is stored
CRM = "atende-crm"  # events for the business's CRM webhook (conversation created, handed off, …)
DEAD_LETTER_SUFFIX = "-dlq"
