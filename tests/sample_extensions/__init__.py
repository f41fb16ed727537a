"""Extensions for testing discovery: one good, one private helper that must never load."""
