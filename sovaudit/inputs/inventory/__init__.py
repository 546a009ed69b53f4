"""Inventory files: the assets no provider reaches, and what `sovaudit inventory` writes."""
