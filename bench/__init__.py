"""Benchmarks: the bot against a bare discord.py bot, both driven by the project's fake Discord."""
