"""What Facebook Messenger and Instagram messaging share: the webhook envelope and the Send API."""
