"""Extensions for testing discovery: one good, one that fails to load, one private helper."""
