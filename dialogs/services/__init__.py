"""Domain logic of the quality dialogues: plain functions, each in one transaction."""
