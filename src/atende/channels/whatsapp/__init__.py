"""WhatsApp Cloud API: webhook normalization and send payloads (calls go through atende.channels.meta)."""
