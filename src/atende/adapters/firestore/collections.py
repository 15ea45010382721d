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
OMNI_LOGS = "omni_logs"  # what a function gave up on: rejected input, permanent processing failures
USERS = "users"  # the people who sign in to the inbox: role, teams, availability, capacity
TEAMS = "teams"
AUDIT_LOGS = "audit_logs"  # who changed what, when, before and after (admin only)
CANNED_RESPONSES = "canned_responses"
TEMPLATES = "templates"  # approved WhatsApp message templates
CHATS = "chats"  # the agents' internal chat; written by the browser under the rules
FOLLOWUPS = "followups"  # one per follow-up decided: `<rule>_<entity>_<window>`, created at most once
BUSINESS_ENTITIES = "business_entities"  # proposals, payments, sign-ups, prospects the business pushed
CAMPAIGNS = "campaigns"  # with sends/{contactId} and counters/{shard} under each (issue 12)
CRM_DELIVERIES = "crm_deliveries"  # each event POSTed to the CRM webhook, with its attempts and outcome
METRICS = "metrics"  # report counters per (day, team, dimension, value): docs/reports.md
CHANNEL_HEALTH = "channel_health"  # per account, with an `hours` subcollection of hourly signal counts
HOURS = "hours"
SITES = "sites"  # web chat: each site that installed the snippet (origins, identity, appearance, limits)
VISITORS = "visitors"  # web chat: each visitor of a site, anonymous or verified
RATE_LIMITS = "rate_limits"  # fixed-window counters shared by every instance; expired by a TTL policy
DEAD_LETTERS = "dead_letters"  # each message a consumer failed five times, whole, for the console to replay
