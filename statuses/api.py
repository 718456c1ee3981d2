"""REST API of the registry of statuses (mounted under /api/ by config/api_urls.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from applications.api.serializers import OrderSerializer

from . import selectors
from .models import Status


class StatusSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.short_name", read_only=True)
    program_title = serializers.CharField(source="program.title", read_only=True)
    status_name = serializers.CharField(source="program.status_name", read_only=True)
    # Null where the programme's council settles the grant; `grounds` says what it rests on.
    order = OrderSerializer(read_only=True, allow_null=True)
    grounds = serializers.CharField(read_only=True)

    class Meta:
        model = Status
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "program",
            "program_title",
            "status_name",
            "topic",
            "valid_from",
            "valid_until",
            "order",
            "grounds",
        ]
        read_only_fields = fields


class StatusListView(generics.ListAPIView):
    serializer_class = StatusSerializer

    def get_queryset(self):
        return selectors.status_registry_qs()

    @extend_schema(summary="Registry of active statuses")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
