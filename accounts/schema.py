"""OpenAPI: a guarded authentication class is described as the class it wraps."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .api_auth import ThrottledAuthFailures


def _wrapped(target):
    cls = target if isinstance(target, type) else type(target)
    return next(
        base
        for base in cls.__mro__[1:]
        if not issubclass(base, ThrottledAuthFailures) and hasattr(base, "authenticate")
    )


class GuardedAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ThrottledAuthFailures
    match_subclasses = True
    priority = 1

    def __init__(self, target):
        super().__init__(target)
        inner = OpenApiAuthenticationExtension.get_match(_wrapped(target))
        if inner is None:
            raise LookupError(f"no OpenAPI description of {_wrapped(target)}")
        self.inner = type(inner)(target)
        self.name = self.inner.name

    def get_security_requirement(self, auto_schema):
        return self.inner.get_security_requirement(auto_schema)

    def get_security_definition(self, auto_schema):
        return self.inner.get_security_definition(auto_schema)
