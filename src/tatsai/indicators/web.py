"""URLs, domains and e-mail addresses.

Normalized forms (see docs/indicators.md):

* ``domain`` → the lower-case A-label host name, no trailing dot: ``xn--kbnk-63d.com``. It must
  end in a public suffix of the Public Suffix List snapshot bundled with ``tldextract`` (never
  fetched at run time) or be an IPv4 address.
* ``url`` → ``scheme://host[:port]/path[?query]``: scheme ``http`` added when missing,
  misspelled ``http``/``https`` schemes (``hitps``, ``httos``, ``htp``: within two edits)
  fixed, scheme and host lower-case, host as in ``domain``, default port and ``#fragment``
  dropped, empty path ``/``, non-ASCII and unsafe characters of path and query
  percent-encoded (UTF-8, upper-case hex); path and query otherwise kept as written (they are
  case-sensitive).
* ``email`` → ``local@domain``, all lower-case (mail systems treat the local part
  case-insensitively in practice), domain as in ``domain``.

All three undo defanging first: ``hxxp``/``hXXps`` → ``http``/``https``; ``[.]``, ``(.)``,
``{.}``, ``[dot]``, ``(dot)`` → ``.``; ``[:]`` → ``:``; ``[at]``, ``(at)``, ``[@]`` → ``@``; and
spaces around ``.``, ``/`` and ``:`` are removed (``bit . ly/abc`` → ``bit.ly/abc``).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import ClassVar
from urllib.parse import quote, urlsplit

import idna
import tldextract

from tatsai.indicators.base import IndicatorType, InvalidIndicator
from tatsai.indicators.text import fold

# The bundled Public Suffix List snapshot only: no URL to fetch, no cache directory to write.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)

_DEFANG = [
    (re.compile(r"\bh(?:xx|XX|Xx|xX|\*\*)p(s?)", re.ASCII), r"http\1"),
    (re.compile(r"\s*(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})\s*", re.IGNORECASE), "."),
    (re.compile(r"\[:\]"), ":"),
    (re.compile(r"^(https?):?/{1,3}(?=[^/])", re.IGNORECASE), r"\1://"),  # "https:/x", "http//x"
    (re.compile(r"\s*(?:\[at\]|\(at\)|\[@\]|\(@\))\s*", re.IGNORECASE), "@"),
    (re.compile(r"\s*([./:])\s*"), r"\1"),
]
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_USERINFO_SAFE = _PATH_SAFE.replace("@", "")  # an "@" inside userinfo would move the host
_EMAIL_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def undefang(text: str) -> str:
    """``text`` with common defanging (``hxxp``, ``[.]``, ``[at]``, spaced dots) undone."""
    for pattern, replacement in _DEFANG:
        text = pattern.sub(replacement, text)
    return text


def registrable_domain(host: str) -> str | None:
    """The registrable domain of ``host`` (``a.kerry-th.co.th`` → ``kerry-th.co.th``).

    ``None`` for IP addresses and hosts without a public suffix. Uses the Public Suffix List
    snapshot bundled with ``tldextract``; nothing is fetched.
    """
    return _registrable(host.lower().rstrip("."))


@lru_cache(maxsize=65536)
def _registrable(host: str) -> str | None:
    result = _SUFFIXES(host)
    if not result.suffix or not result.domain:
        return None
    return str(result.top_domain_under_public_suffix)


def public_suffix(host: str) -> str:
    """The public suffix of ``host`` (``co.th``, ``com``), or ``""`` when it has none."""
    return _suffix(host.lower().rstrip("."))


@lru_cache(maxsize=65536)
def _suffix(host: str) -> str:
    return str(_SUFFIXES(host).suffix)


def _is_ipv4(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=65536)
def _clean_host(host: str) -> str:
    """Lower-case A-label host; raises ValueError saying why it is not a usable host."""
    host = host.strip().rstrip(".").lower()
    if not host:
        raise ValueError("no host")
    if _is_ipv4(host):
        return host
    labels = host.split(".")
    if len(labels) < 2:
        raise ValueError("a host name needs a dot")
    encoded: list[str] = []
    for label in labels:
        if not label.isascii():
            try:
                label = idna.encode(label, uts46=True).decode("ascii")
            except idna.IDNAError as exc:
                raise ValueError(f"bad international label {label!r}: {exc}") from None
        if not _LABEL.match(label):
            raise ValueError(f"bad label {label!r}")
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError:
                raise ValueError(f"bad punycode label {label!r}") from None
        encoded.append(label)
    result = ".".join(encoded)
    if len(result) > 253:
        raise ValueError("host name longer than 253 characters")
    if not public_suffix(result) or _registrable(result) is None:
        raise ValueError("no public suffix (top-level domain) known")
    return result


def _prepare(raw: str) -> str:
    return undefang(fold(raw).strip().strip("<>\"'"))


class DomainType(IndicatorType):
    name: ClassVar[str] = "domain"
    label: ClassVar[str] = "domain name"

    def clean(self, raw: str) -> str:
        text = _prepare(raw)
        if "://" in text or "/" in text:
            try:
                text = urlsplit(text if "://" in text else "http://" + text).hostname or ""
            except ValueError as exc:  # "[/": an unbalanced IPv6 bracket
                raise self.invalid(raw, str(exc)) from None
        try:
            return _clean_host(text)
        except ValueError as exc:
            raise self.invalid(raw, str(exc)) from None

    def compare(self, left: str, right: str) -> float:
        if left == right:
            return 1.0
        if registrable_domain(left) == registrable_domain(right):
            return 0.7  # same owner of the name, different host under it
        return 0.0


class UrlType(IndicatorType):
    name: ClassVar[str] = "url"
    label: ClassVar[str] = "URL"

    def clean(self, raw: str) -> str:
        return _clean_url(raw)

    def host(self, value: str) -> str:
        """The host of a clean URL (already a clean ``domain`` or IPv4 address)."""
        return urlsplit(value).hostname or ""

    def compare(self, left: str, right: str) -> float:
        if left == right:
            return 1.0
        a, b = urlsplit(left), urlsplit(right)
        if (a.netloc, a.path, a.query) == (b.netloc, b.path, b.query):
            return 0.9  # only the scheme differs
        if a.hostname == b.hostname:
            return 0.6
        return 0.0


@lru_cache(maxsize=65536)
def _clean_url(raw: str) -> str:
    text = _prepare(raw)
    if not text:
        raise URL.invalid(raw, "empty")
    if any(c.isspace() for c in text):
        raise URL.invalid(raw, "contains spaces")
    if "://" not in text:
        if text.startswith("//"):
            text = text[2:]
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise URL.invalid(raw, str(exc)) from None
    scheme = _web_scheme(parts.scheme.lower())
    if scheme is None:
        raise URL.invalid(raw, f"scheme {parts.scheme.lower()!r} is not http or https")
    try:
        host = _clean_host(parts.hostname or "")
    except ValueError as exc:
        raise URL.invalid(raw, str(exc)) from None
    netloc = host
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{quote(userinfo, safe=_USERINFO_SAFE)}@{host}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = _encode(parts.path, _PATH_SAFE) or "/"
    result = f"{scheme}://{netloc}{path}"
    if parts.query:
        result += "?" + _encode(parts.query, _QUERY_SAFE)
    return result


# Real schemes that are not the web's: never read as a misspelled http.
_OTHER_SCHEMES = frozenset({"ftp", "ftps", "sftp", "file", "data", "ws", "wss", "tel", "sms"})


def _web_scheme(scheme: str) -> str | None:
    """``http``/``https`` for those and their misspellings (``hitps``, ``httos``, ``htp``:
    OCR of screenshots and filter evasion produce them), else ``None``."""
    if scheme in _DEFAULT_PORTS:
        return scheme
    if scheme in _OTHER_SCHEMES or not 3 <= len(scheme) <= 6:
        return None
    to_https, to_http = _edit_distance(scheme, "https"), _edit_distance(scheme, "http")
    if min(to_https, to_http) > 2 or "t" not in scheme:
        return None
    return "https" if to_https < to_http or (to_https == to_http and scheme[-1] == "s") else "http"


def _edit_distance(left: str, right: str) -> int:
    """Levenshtein distance (both strings are a few characters long)."""
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, start=1):
        current = [i]
        for j, b in enumerate(right, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


def _encode(part: str, safe: str) -> str:
    return _PERCENT.sub(lambda m: m.group(0).upper(), quote(part, safe=safe))


class EmailType(IndicatorType):
    name: ClassVar[str] = "email"
    label: ClassVar[str] = "e-mail address"

    def clean(self, raw: str) -> str:
        text = _prepare(raw)
        if text.lower().startswith("mailto:"):
            text = text[7:]
        local, at, domain = text.rpartition("@")
        if not at or not local:
            raise self.invalid(raw, "no local part@domain")
        local = local.lower()
        if len(local) > 64 or not _EMAIL_LOCAL.match(local):
            raise self.invalid(raw, "bad local part")
        try:
            host = _clean_host(domain)
        except ValueError as exc:
            raise self.invalid(raw, str(exc)) from None
        if _is_ipv4(host):
            raise self.invalid(raw, "an IP address is not a mail domain")
        return f"{local}@{host}"

    def compare(self, left: str, right: str) -> float:
        if left == right:
            return 1.0
        return 0.3 if left.rpartition("@")[2] == right.rpartition("@")[2] else 0.0


DOMAIN = DomainType()
URL = UrlType()
EMAIL = EmailType()

__all__ = [
    "DOMAIN",
    "EMAIL",
    "URL",
    "DomainType",
    "EmailType",
    "InvalidIndicator",
    "UrlType",
    "public_suffix",
    "registrable_domain",
    "undefang",
]
