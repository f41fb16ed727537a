"""Extensions for testing a failed load: one good, one whose setup raises."""
