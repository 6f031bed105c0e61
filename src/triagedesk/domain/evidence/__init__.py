"""What can be read out of an issue's text."""
