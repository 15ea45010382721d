"""WhatsApp Cloud API: webhook normalization, send payloads, error codes."""
