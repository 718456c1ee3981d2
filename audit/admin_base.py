"""Admin base classes: every change made in the admin is audited, personal data read there is
logged (152-ФЗ), and records owned by services are read-only."""

from django import forms
from django.contrib import admin
from django.db.models import Model

from audit.services import (
    audit_personal_data_list_read,
    audit_personal_data_read,
    audit_record,
)

# Field values never copied into the audit trail, only the fact that they changed.
SECRET_FIELDS = {"password"}


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records changed only through audited services: admins may look, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _shown(value) -> object:
    """A form value as the audit's JSON can hold it: model instances and querysets by their
    text, lists item by item, dates and numbers as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "__iter__") and not isinstance(value, dict):
        return [str(v) for v in value]
    return str(value)


def _before(field, value):
    """The initial value of a model form field as an object: ModelForm initial data holds a
    foreign key as its pk and many-to-many rows as objects or pks."""
    if value is None or not isinstance(field, forms.ModelChoiceField):
        return value
    if isinstance(field, forms.ModelMultipleChoiceField):
        pks = [getattr(v, "pk", v) for v in value]
        return list(field.queryset.filter(pk__in=pks))
    return value if isinstance(value, Model) else field.queryset.filter(pk=value).first()


def form_changes(form) -> dict:
    """{field: [before, after]} of what an admin form changed; secrets as "changed" only."""
    changes = {}
    for name in form.changed_data:
        if name in SECRET_FIELDS or name not in form.fields:
            changes[name] = "changed"
            continue
        before = _before(form.fields[name], form.initial.get(name))
        changes[name] = [_shown(before), _shown(form.cleaned_data.get(name))]
    return changes


def _action(obj, verb: str) -> str:
    return f"{obj._meta.model_name}.admin_{verb}"


class AuditedAdmin(admin.ModelAdmin):
    """Reference data edited in the admin (councils and their seats, who acts for a school,
    calendars, rules, people and their roles): every save and delete, of the object and of its
    inline rows, is an audit event with the values before and after, in the same transaction."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and not form.changed_data:
            return
        audit_record(
            actor=request.user,
            action=_action(obj, "update" if change else "create"),
            obj=obj,
            comment=str(obj),
            data=form_changes(form),
        )

    def save_formset(self, request, form, formset, change):
        """Inline rows (a council's seats, a school's coordinators) are audited on their parent,
        one event per row added, changed or removed."""
        deleted = [
            (f.instance, f.instance.pk, str(f.instance))
            for f in formset.deleted_forms
            if f.instance.pk is not None
        ]
        changed = [
            f for f in formset.initial_forms if f.has_changed() and f not in formset.deleted_forms
        ]
        super().save_formset(request, form, formset, change)
        parent = form.instance
        for row in formset.new_objects:
            row_form = next(f for f in formset.forms if f.instance is row)
            self._inline_event(request, parent, row, row.pk, "create", form_changes(row_form))
        for row_form in changed:
            row = row_form.instance
            self._inline_event(request, parent, row, row.pk, "update", form_changes(row_form))
        for row, pk, text in deleted:
            self._inline_event(request, parent, row, pk, "delete", {}, text=text)

    def _inline_event(self, request, parent, row, pk, verb, data, text=None):
        audit_record(
            actor=request.user,
            action=_action(row, verb),
            obj=parent,
            comment=text or str(row),
            data={"row": row._meta.label_lower, "row_id": pk, **data},
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=_action(obj, "delete"), obj=obj, comment=str(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(
                actor=request.user, action=_action(obj, "delete"), obj=obj, comment=str(obj)
            )
        super().delete_queryset(request, queryset)


class PersonalDataAdmin(admin.ModelAdmin):
    """Opening a record that identifies a person in the admin is a read of personal data
    (152-ФЗ) and is logged like the pages and the API do, with channel "admin". So is a list
    whose columns show people (`personal_list_fields`): one event per page shown, naming the
    records on it."""

    personal_fields: tuple[str, ...] = ()
    personal_list_fields: tuple[str, ...] = ()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original")
        if (
            self.personal_fields
            and request.method == "GET"
            and response.status_code == 200
            and obj is not None
        ):
            audit_personal_data_read(
                actor=request.user, obj=obj, fields=list(self.personal_fields), channel="admin"
            )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if (
            self.personal_list_fields
            and request.method == "GET"
            and response.status_code == 200
            and changelist is not None
        ):
            ids = [obj.pk for obj in changelist.result_list]
            if ids:
                audit_personal_data_list_read(
                    actor=request.user,
                    model=self.model,
                    ids=ids,
                    fields=list(self.personal_list_fields),
                    channel="admin",
                )
        return response


def log_list_reads(model, *, fields: tuple[str, ...]) -> None:
    """Make another package's admin of `model` log its list as a personal-data read: register
    it again as a subclass with PersonalDataAdmin first (import that admin module before)."""
    current = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(
        model,
        type(
            current.__name__,
            (PersonalDataAdmin, current),
            {"personal_list_fields": fields, "__module__": __name__},
        ),
    )
