"""The bot's commands, one module per group; each has `register(application)`."""
