"""Sources of assets. Installed as ``sovaudit.providers``.

Built-in providers are listed in ``registry.BUILTIN`` and imported only when used, so a
cloud SDK is loaded only by the run that needs it. Third-party providers register a
``Provider`` subclass under the ``sovaudit.providers`` entry-point group.
"""
