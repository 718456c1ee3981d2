"""The flow node where a case waits for the council.

A `flow.Handle` (a BPMN receive task): nothing happens until the signed protocol of a meeting
calls `run(task, ...)` on that one case's task, under the flow lock. viewflow's Handle has no
creation hook, so this subclass adds `onCreate`, used to tell the secretary a case is waiting.
"""

from viewflow import this
from viewflow.workflow.activation import Activation
from viewflow.workflow.flow import Handle
from viewflow.workflow.nodes.handle import HandleActivation


class AwaitActivation(HandleActivation):
    @Activation.status.super()
    def activate(self):
        """Created and waiting: run the creation hook, inside the transaction that created it."""
        hook = self.flow_task._on_create
        if hook is not None:
            hook(self)


class AwaitCouncil(Handle):
    activation_class = AwaitActivation

    def __init__(self, func=None, undo_func=None, **kwargs):
        super().__init__(func=func, undo_func=undo_func, **kwargs)
        self._on_create = None

    def _resolve(self, instance):
        super()._resolve(instance)
        self._on_create = this.resolve(instance, self._on_create)

    def onCreate(self, ref):
        self._on_create = ref
        return self

    def can_assign(self, user, task) -> bool:
        """Nobody takes this step as a task: a meeting decides it."""
        return False

    def can_execute(self, user, task) -> bool:
        return False
