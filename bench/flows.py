"""The baseline: viewflow with no domain code, for comparison with the application review.

Five nodes as in the spike of DESIGN.md (StartHandle → three View tasks → End). It uses the same
lock as `applications.flows.ApplicationFlow`, so the difference measured is our code, not the lock.
"""

from viewflow import this
from viewflow.workflow import flow, lock


class BareFlow(flow.Flow):
    """Start from code, three human steps that anyone may take, end."""

    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle().Annotation(title="Start").Next(this.first)
    first = flow.View(None).Annotation(title="First").Next(this.second)
    second = flow.View(None).Annotation(title="Second").Next(this.third)
    third = flow.View(None).Annotation(title="Third").Next(this.end)
    end = flow.End().Annotation(title="End")
