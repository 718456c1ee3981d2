"""API tokens: a client signs in with its user name and password once (HTTP Basic, over
HTTPS) and gets a token that expires; only the token's digest is stored (django-rest-knox).

    POST /api/auth/login/      Authorization: Basic ...   → 201 {"token": "...", "expiry": "..."}
    POST /api/auth/logout/     Authorization: Token ...   → 204, that token revoked
    POST /api/auth/logoutall/  Authorization: Token ...   → 204, every token of the user revoked
"""

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .api_auth import GuardedBasicAuthentication, GuardedKnoxTokenAuthentication


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(help_text="After this moment the token is refused.")


class LoginView(APIView):
    """Issue a token for the user of the Basic credentials (they are not accepted elsewhere)."""

    authentication_classes = [GuardedBasicAuthentication]

    @extend_schema(
        request=None,
        responses={status.HTTP_201_CREATED: TokenSerializer},
        summary="Issue an API token (HTTP Basic credentials)",
    )
    def post(self, request):
        instance, token = services.api_token_issue(user=request.user)
        user_logged_in.send(sender=request.user.__class__, request=request, user=request.user)
        data = TokenSerializer({"token": token, "expiry": instance.expiry}).data
        return Response(data, status=status.HTTP_201_CREATED)


class LogoutView(APIView):
    """Revoke the token this request is made with."""

    authentication_classes = [GuardedKnoxTokenAuthentication]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Revoked.")})
    def post(self, request):
        services.api_tokens_revoke(
            user=request.user,
            actor=request.user,
            reason="logout",
            tokens=AuthToken.objects.filter(digest=request.auth.digest),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Revoke every token of the user, wherever it was issued."""

    authentication_classes = [GuardedKnoxTokenAuthentication]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Revoked.")})
    def post(self, request):
        services.api_tokens_revoke(user=request.user, actor=request.user, reason="logout_all")
        return Response(status=status.HTTP_204_NO_CONTENT)
