"""Where things are: the region catalogue, region codes to places (regions.py), ISO 3166
codes, network addresses to places (net/)."""
