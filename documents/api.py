"""Downloading a document's file through the REST API (token auth), checked and logged like the
page download."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from . import selectors, services
from .downloads import version_response
from .models import Document
from .validators import HUMAN_NAMES


class VersionDownloadView(APIView):
    @extend_schema(
        summary="Download one version of a document (permission-checked, logged)",
        responses={(200, mime): OpenApiTypes.BINARY for mime in sorted(HUMAN_NAMES)},
    )
    def get(self, request, pk: int, number: int):
        document = get_object_or_404(Document, pk=pk)
        if not selectors.document_can_view(user=request.user, document=document):
            raise Http404
        version = get_object_or_404(document.versions, number=number)
        services.version_download_record(version=version, user=request.user)
        return version_response(version)
