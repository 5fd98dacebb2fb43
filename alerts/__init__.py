"""Rendering alerts, the outbox sender, and the Telegram side."""
