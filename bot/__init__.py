"""The All of Us Are Dead Discord bot: start-up, settings, store, rendering and announcing."""
