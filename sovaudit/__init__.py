"""sovaudit: where does your data physically live, and how much personal data sits abroad?"""

__version__ = "0.1.0"
