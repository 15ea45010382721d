"""Collection names, in one place; docs/data-model.md describes each."""

MESSAGES = "messages"
CONVERSATIONS = "conversations"
CONTACTS = "contacts"
IDENTITIES = "contact_identities"
# A platform's message id -> our message (statuses, echo dedup), or statuses parked until the send is known.
PROVIDER_IDS = "provider_message_ids"
IA_LOGS = "ia_logs"
CONFIG = "config"
FLOWS = "flows"
CHANNELS = "channels"
ERP_DEMO = "erp_demo"  # the demo ERP's state (invoices paid, tickets opened), when no ERP is configured
OMNI_LOGS = "omni_logs"  # operational records: webhook items rejected at ingest
