"""Where network endpoints are: DNS, the clouds' published IP ranges, GeoIP databases."""
