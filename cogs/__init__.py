"""Features, one extension per module. Every module not starting with "_" is loaded at start-up."""
