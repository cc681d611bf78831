//! TaskFinalizerActor: decides the final state of tasks whose steps all settled.

use super::Actor;
use crate::error::{TaskerError, TaskerResult};
use crate::state_machine::{StepState, TaskEvent, TaskState, TaskStateMachine};

/// Finalizes tasks.
pub struct TaskFinalizerActor {
    finalized: u64,
    running: bool,
}

impl Default for TaskFinalizerActor {
    fn default() -> Self {
        Self::new()
    }
}

impl TaskFinalizerActor {
    pub fn new() -> Self {
        TaskFinalizerActor { finalized: 0, running: true }
    }

    /// Finalize `task` given its steps' states; returns the task's new state.
    pub fn finalize(&mut self, task: &mut TaskStateMachine, steps: &[StepState]) -> TaskerResult<TaskState> {
        if steps.is_empty() {
            return Err(TaskerError::Internal("cannot finalize a task without steps".into()));
        }
        let failed = steps.iter().filter(|s| **s == StepState::Error).count();
        let open = steps
            .iter()
            .filter(|s| !matches!(s, StepState::Complete | StepState::Error | StepState::Cancelled))
            .count();
        if open > 0 {
            return Err(TaskerError::InvalidTransition {
                from: task.state().to_string(),
                to: format!("finalized with {open} open steps"),
            });
        }
        let state = if failed > 0 {
            task.fire(TaskEvent::StepFailed { retryable: false })?
        } else {
            task.fire(TaskEvent::AllStepsComplete)?
        };
        self.finalized += 1;
        Ok(state)
    }
}

impl Actor for TaskFinalizerActor {
    fn name(&self) -> &'static str {
        "task_finalizer"
    }

    fn is_running(&self) -> bool {
        self.running
    }

    fn stop(&mut self) {
        self.running = false;
    }
}
