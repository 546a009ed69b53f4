"""Reporters: one module per format, each from ScanResult to text."""
