"""Opt-in personal-data discovery by content sampling (``scan --sample-content``).

Tags lie or are missing; the data does not. For each bucket a provider hands over an
``ObjectSource``; the ``Sampler`` reads a bounded prefix of a few objects, finds Mexican
personal identifiers (CURP, RFC, CLABE, NSS, INE, phone, e-mail) and sensitive-data terms,
and returns a ``ContentSample``: counts, masked examples and redacted keys, never a value.
classify.py then raises the asset's classification when the evidence is more severe than
what its tags declare (docs/content-sampling.md).

Modules, one concern each: ``sample`` (limits, budget, the sampler and the ObjectSource
protocol), ``text`` (bytes to text), ``context`` (labels around a value), ``detectors`` and
``checks`` (one detector per identifier), ``keywords`` (the vocabulary, from
sovaudit/data/content_keywords.yaml), ``analyse`` (one text), ``mask`` (masked forms),
``evidence`` (ContentSample), ``errors``.

Importing this package imports neither python-stdnum nor phonenumbers: the detectors do,
when a Sampler is built, and say which extra to install when they are missing.
"""

from __future__ import annotations

from sovaudit.classify.content.errors import MissingContentExtra, ObjectReadError, SkipObject
from sovaudit.classify.content.sample import (
    ByteBudget,
    ObjectRef,
    ObjectSource,
    Sampler,
    SamplingLimits,
)
from sovaudit.model import ContentSample, ObjectHits

__all__ = [
    "ByteBudget",
    "ContentSample",
    "MissingContentExtra",
    "ObjectHits",
    "ObjectReadError",
    "ObjectRef",
    "ObjectSource",
    "Sampler",
    "SamplingLimits",
    "SkipObject",
]
