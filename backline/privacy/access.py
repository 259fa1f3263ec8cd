"""Deny by default: every view states who may see it, or nobody may.

A rule is a named test of the request. ``@access(rule)`` attaches it to a view;
``AccessRuleMiddleware`` refuses any view that has none. A refused signed-in user
gets a plain 404, so that a page's existence tells an outsider nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import URLPattern, URLResolver

log = logging.getLogger(__name__)

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    """Who may reach a view. ``test`` sees the request after authentication."""

    name: str
    test: Callable[[HttpRequest], bool]
    needs_login: bool = True

    def allows(self, request: HttpRequest) -> bool:
        if self.needs_login and not request.user.is_authenticated:
            return False
        return self.test(request)

    def __or__(self, other: Rule) -> Rule:
        return Rule(
            f"{self.name} or {other.name}",
            lambda r: self.allows(r) or other.allows(r),
            needs_login=self.needs_login and other.needs_login,
        )


PUBLIC = Rule("anyone", lambda request: True, needs_login=False)
SIGNED_IN = Rule("anyone signed in", lambda request: request.user.is_active)
CLOSED = Rule("nobody", lambda request: False, needs_login=False)


def access(rule: Rule) -> Callable[[ViewFunc], ViewFunc]:
    """Declare the rule of a view function (or of ``SomeView.as_view()``)."""

    def mark(view: ViewFunc) -> ViewFunc:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return mark


def rule_of(view: Callable[..., Any]) -> Rule | None:
    return getattr(view, "access_rule", None)


def with_rules(
    patterns: Iterable[URLPattern | URLResolver], rules: dict[str, Rule]
) -> list[URLPattern | URLResolver]:
    """Give rules to a third party's URL patterns by URL name.

    A pattern whose name is not in ``rules`` is ``CLOSED``: a view that a library
    adds in an upgrade stays closed until someone reviews it and names its rule.
    """
    ruled: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ruled.append(
                URLResolver(
                    pattern.pattern,
                    with_rules(pattern.url_patterns, rules),
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
        else:
            callback = _wrap(pattern.callback)
            access(rules.get(pattern.name or "", CLOSED))(callback)
            ruled.append(URLPattern(pattern.pattern, callback, pattern.default_args, pattern.name))
    return ruled


def _wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A distinct function object, so the rule is not set on a view shared elsewhere."""

    def ruled_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, **kwargs)

    for attribute in ("csrf_exempt", "__doc__", "__name__", "__module__"):
        if hasattr(view, attribute):
            setattr(ruled_view, attribute, getattr(view, attribute))
    return ruled_view


class AccessRuleMiddleware:
    """Refuses every view without a rule, and every request its rule does not allow."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        rule = rule_of(view)
        if rule is None:
            log.error("refused %s: the view %s states no access rule", request.path, view)
            return HttpResponseForbidden("This page has no access rule, so it is closed.")
        if rule.allows(request):
            return None
        if rule.needs_login and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
