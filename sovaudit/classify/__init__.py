"""What data an asset holds: tag conventions (tags.py) and content sampling (content/)."""
