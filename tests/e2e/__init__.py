"""End-to-end tests: the bot against a loopback stand-in for Discord."""
