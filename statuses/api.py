"""REST API of the registry of statuses (mounted under /api/ by config/api_urls.py)."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from applications.api.serializers import OrderSerializer

from . import selectors
from .models import Status


class StatusSerializer(serializers.ModelSerializer):
    organisation_name = serializers.SerializerMethodField(
        help_text="The holder's short name; a person's only to those who see the status."
    )
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

    def get_organisation_name(self, status) -> str:
        """A person holding a status is named to the programme's staff and to himself; to
        everyone else, as in the open registry, not at all (152-ФЗ)."""
        if status.organisation.person_id and status.pk not in self.context.get("visible", ()):
            return gettext("A person (the name is not published)")
        return status.organisation.short_name


class StatusListView(generics.ListAPIView):
    serializer_class = StatusSerializer

    def get_queryset(self):
        return selectors.status_registry_qs().order_by("pk")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        # Whom this reader may see among the page's holders who are persons (one query).
        persons = [s.pk for s in page if s.organisation.person_id]
        visible = set(
            selectors.status_visible_qs(request.user)
            .filter(pk__in=persons)
            .values_list("pk", flat=True)
        )
        context = {**self.get_serializer_context(), "visible": visible}
        return self.get_paginated_response(StatusSerializer(page, many=True, context=context).data)

    @extend_schema(summary="Registry of active statuses")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
