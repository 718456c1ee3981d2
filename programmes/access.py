"""Who sees every case: the permission every package checks for staff-wide reads.

It lives with the programmes so that each domain package (councils, applications, statuses)
reads the same rule without importing another domain's selectors."""

# Staff who see every case (methodists, the council's secretaries, department officials).
SEE_ALL = "workflows.view_all_applications"
