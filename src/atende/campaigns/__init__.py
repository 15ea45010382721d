"""The command line of campaigns and WhatsApp templates (`atende campaign …`, `atende templates …`)."""
