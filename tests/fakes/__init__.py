"""Local stand-ins for the outside world, all on 127.0.0.1: a news site and a Bot API."""
