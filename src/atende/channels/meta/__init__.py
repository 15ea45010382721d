"""Everything that speaks Meta's Graph API: the HTTP client, the senders, media downloads, the error table.

The rest of Atende sees Meta only through the ports in `atende.services.channel_ports`
and the failures in `atende.domain.errors`; the webhook parsers and send payload
builders under `atende.channels.<platform>` are pure wire-format code and need no client.
"""
