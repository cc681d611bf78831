//! Coordinate a task's steps: after each result, decide whether to enqueue, wait or finalize.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::message_handler::StepResultMessage;
use super::processing_context::ProcessingContext;
use super::state_transition_handler::{apply_result, TransitionOutcome};
use crate::config::TaskerConfig;
use crate::error::{TaskerError, TaskerResult};
use crate::state_machine::{StepState, TaskEvent, TaskState};
use crate::{StepId, TaskId};

/// What the orchestrator must do after a result was processed.
#[derive(Debug, Clone, PartialEq)]
pub enum NextAction {
    EnqueueSteps(Vec<StepId>),
    RetryAfter { step: StepId, millis: u64 },
    Wait,
    Finalized(TaskState),
    Ignored,
}

/// Shared, thread-safe registry of the tasks being processed.
#[derive(Clone)]
pub struct TaskCoordinator {
    contexts: Arc<Mutex<HashMap<TaskId, ProcessingContext>>>,
    config: TaskerConfig,
}

impl TaskCoordinator {
    pub fn new(config: TaskerConfig) -> Self {
        TaskCoordinator { contexts: Arc::new(Mutex::new(HashMap::new())), config }
    }

    /// Start tracking a task and return its first ready steps (now enqueued).
    pub fn register(&self, mut context: ProcessingContext) -> TaskerResult<Vec<StepId>> {
        let ready = context.ready_steps();
        for id in &ready {
            let step = context.step_mut(*id)?;
            step.state = step.state.advance(StepState::Enqueued)?;
        }
        context.machine.fire(TaskEvent::StepsEnqueued)?;
        let mut contexts = self.lock()?;
        if contexts.contains_key(&context.task_id) {
            return Err(TaskerError::Internal(format!("task {} registered twice", context.task_id)));
        }
        contexts.insert(context.task_id, context);
        Ok(ready)
    }

    /// Apply a result and decide the next action for its task.
    pub fn process(&self, message: &StepResultMessage) -> TaskerResult<NextAction> {
        let mut contexts = self.lock()?;
        let context = contexts
            .get_mut(&message.task_id)
            .ok_or_else(|| TaskerError::NotFound(format!("task {}", message.task_id)))?;
        if context.machine.state().is_terminal() {
            return Ok(NextAction::Ignored);
        }
        let outcome = apply_result(context, message, &self.config)?;
        match outcome {
            TransitionOutcome::Duplicate => Ok(NextAction::Ignored),
            TransitionOutcome::Retrying { backoff, .. } => {
                let step = context.step_mut(message.step_id)?;
                step.state = step.state.advance(StepState::Enqueued)?;
                Ok(NextAction::RetryAfter { step: message.step_id, millis: backoff.as_millis() as u64 })
            }
            TransitionOutcome::Completed => {
                context.machine.fire(TaskEvent::StepCompleted)?;
                Self::after_progress(context)
            }
            TransitionOutcome::Failed { .. } => {
                context.machine.fire(TaskEvent::StepFailed { retryable: false })?;
                context.cancel_open_steps();
                Ok(NextAction::Finalized(context.machine.state()))
            }
        }
    }

    fn after_progress(context: &mut ProcessingContext) -> TaskerResult<NextAction> {
        if context.all_complete() {
            let state = context.machine.fire(TaskEvent::AllStepsComplete)?;
            return Ok(NextAction::Finalized(state));
        }
        let ready = context.ready_steps();
        if ready.is_empty() {
            context.machine.fire(TaskEvent::StepsEnqueued)?;
            return Ok(NextAction::Wait);
        }
        for id in &ready {
            let step = context.step_mut(*id)?;
            step.state = step.state.advance(StepState::Enqueued)?;
        }
        context.machine.fire(TaskEvent::StepsEnqueued)?;
        Ok(NextAction::EnqueueSteps(ready))
    }

    /// The state of a task, if it is tracked.
    pub fn task_state(&self, task: TaskId) -> TaskerResult<Option<TaskState>> {
        Ok(self.lock()?.get(&task).map(|c| c.machine.state()))
    }

    /// Cancel a task and all its open steps.
    pub fn cancel(&self, task: TaskId) -> TaskerResult<usize> {
        let mut contexts = self.lock()?;
        let context = contexts.get_mut(&task).ok_or_else(|| TaskerError::NotFound(format!("task {task}")))?;
        context.machine.fire(TaskEvent::Cancel)?;
        Ok(context.cancel_open_steps())
    }

    fn lock(&self) -> TaskerResult<std::sync::MutexGuard<'_, HashMap<TaskId, ProcessingContext>>> {
        self.contexts
            .lock()
            .map_err(|_| TaskerError::Internal("task coordinator lock poisoned".into()))
    }
}
