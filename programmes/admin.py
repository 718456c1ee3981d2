"""Admin: programmes, the organisations applying and who serves each programme are reference
data, edited here and audited."""

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group

from audit.admin_base import AuditedAdmin, PersonalDataAdmin

from . import formdef, services
from .access import SEE_ALL
from .models import FormVersion, Organisation, OrganisationMembership, Program, ProgrammeStaff


def staff_roles():
    """The groups that are staff roles of a programme: those that see its cases (council
    members are not among them: their seats give them their council's programme)."""
    app_label, codename = SEE_ALL.split(".", 1)
    return Group.objects.filter(
        permissions__codename=codename, permissions__content_type__app_label=app_label
    ).order_by("name")


class RoleChoiceMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group":
            kwargs["queryset"] = staff_roles()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProgrammeStaffInline(RoleChoiceMixin, admin.TabularInline):
    model = ProgrammeStaff
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Program)
class ProgramAdmin(AuditedAdmin):
    list_display = (
        "code",
        "title",
        "applicants",
        "review_shape",
        "drafts_agreement",
        "status_term_years",
        "registration_prefix",
        "is_active",
    )
    list_filter = ("applicants", "review_shape", "drafts_agreement", "is_active")
    inlines = [ProgrammeStaffInline]


@admin.register(ProgrammeStaff)
class ProgrammeStaffAdmin(RoleChoiceMixin, PersonalDataAdmin, AuditedAdmin):
    personal_list_fields = ("user",)
    list_display = ("user", "group", "program")
    list_filter = ("program", "group")
    search_fields = ("user__username", "user__last_name", "user__first_name")
    autocomplete_fields = ("user",)


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(PersonalDataAdmin, AuditedAdmin):
    personal_list_fields = ("person",)
    list_display = ("short_name", "name", "person")
    search_fields = ("short_name", "name")
    # A person's own applicant record is made when he first applies, and stays his.
    readonly_fields = ("person",)
    inlines = [MembershipInline]


class FormVersionForm(forms.ModelForm):
    class Meta:
        model = FormVersion
        fields = ("program", "definition", "note")

    def clean_definition(self):
        definition = self.cleaned_data["definition"]
        errors = formdef.definition_errors(definition, columns=services.FORM_COLUMNS)
        if errors:
            raise forms.ValidationError(errors)
        return definition


@admin.register(FormVersion)
class FormVersionAdmin(AuditedAdmin):
    """A new version is added, never edited once cases are filed with it: they keep the form
    they were filed with. The number is the next one of the programme."""

    form = FormVersionForm
    list_display = ("program", "number", "note", "created_at")
    list_filter = ("program",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.applications.exists():
            return ("program", "number", "definition", "note")
        return ("number",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.applications.exists()

    def save_model(self, request, obj, form, change):
        if not change:
            last = FormVersion.objects.filter(program=obj.program).order_by("-number").first()
            obj.number = (last.number if last else 0) + 1
        super().save_model(request, obj, form, change)
