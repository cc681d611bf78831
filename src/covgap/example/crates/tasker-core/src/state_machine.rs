//! Task and step state machines: the only place where state transitions are decided.

use std::fmt;
use std::str::FromStr;

use crate::error::{TaskerError, TaskerResult};

/// The lifecycle of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskState {
    Pending,
    Initializing,
    EnqueuingSteps,
    StepsInProcess,
    EvaluatingResults,
    WaitingForRetry,
    Complete,
    Error,
    Cancelled,
    ResolvedManually,
}

/// What can happen to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskEvent {
    Start,
    Initialized,
    StepsEnqueued,
    StepCompleted,
    AllStepsComplete,
    StepFailed { retryable: bool },
    RetryReady,
    Cancel,
    ResolveManually,
}

/// The lifecycle of a single step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepState {
    Pending,
    Enqueued,
    InProgress,
    Complete,
    Error,
    Cancelled,
}

impl TaskState {
    /// Whether no further transition is possible (except manual resolution of errors).
    pub fn is_terminal(self) -> bool {
        matches!(self, TaskState::Complete | TaskState::Cancelled | TaskState::ResolvedManually)
    }

    /// Apply `event`, returning the next state or why it is not allowed.
    pub fn transition(self, event: TaskEvent) -> TaskerResult<TaskState> {
        use TaskEvent as E;
        use TaskState as S;
        let next = match (self, event) {
            (S::Pending, E::Start) => S::Initializing,
            (S::Initializing, E::Initialized) => S::EnqueuingSteps,
            (S::EnqueuingSteps, E::StepsEnqueued) => S::StepsInProcess,
            (S::StepsInProcess, E::StepCompleted) => S::EvaluatingResults,
            (S::EvaluatingResults, E::StepsEnqueued) => S::StepsInProcess,
            (S::EvaluatingResults, E::AllStepsComplete) => S::Complete,
            (S::StepsInProcess | S::EvaluatingResults, E::StepFailed { retryable: true }) => {
                S::WaitingForRetry
            }
            (S::StepsInProcess | S::EvaluatingResults, E::StepFailed { retryable: false }) => {
                S::Error
            }
            (S::WaitingForRetry, E::RetryReady) => S::EnqueuingSteps,
            (S::Error, E::ResolveManually) => S::ResolvedManually,
            (state, E::Cancel) if !state.is_terminal() => S::Cancelled,
            (from, _) => {
                return Err(TaskerError::InvalidTransition {
                    from: from.to_string(),
                    to: format!("{event:?}"),
                })
            }
        };
        Ok(next)
    }
}

impl StepState {
    /// Whether a step in this state may be (re-)enqueued.
    pub fn is_ready(self) -> bool {
        matches!(self, StepState::Pending | StepState::Error)
    }

    /// Move a step to `next`, enforcing the step lifecycle.
    pub fn advance(self, next: StepState) -> TaskerResult<StepState> {
        use StepState as S;
        let allowed = match self {
            S::Pending => matches!(next, S::Enqueued | S::Cancelled),
            S::Enqueued => matches!(next, S::InProgress | S::Cancelled),
            S::InProgress => matches!(next, S::Complete | S::Error | S::Cancelled),
            S::Error => matches!(next, S::Enqueued | S::Cancelled),
            S::Complete | S::Cancelled => false,
        };
        if allowed {
            Ok(next)
        } else {
            Err(TaskerError::InvalidTransition {
                from: format!("{self:?}"),
                to: format!("{next:?}"),
            })
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            TaskState::Pending => "pending",
            TaskState::Initializing => "initializing",
            TaskState::EnqueuingSteps => "enqueuing_steps",
            TaskState::StepsInProcess => "steps_in_process",
            TaskState::EvaluatingResults => "evaluating_results",
            TaskState::WaitingForRetry => "waiting_for_retry",
            TaskState::Complete => "complete",
            TaskState::Error => "error",
            TaskState::Cancelled => "cancelled",
            TaskState::ResolvedManually => "resolved_manually",
        };
        f.write_str(name)
    }
}

impl FromStr for TaskState {
    type Err = TaskerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "pending" => TaskState::Pending,
            "initializing" => TaskState::Initializing,
            "enqueuing_steps" => TaskState::EnqueuingSteps,
            "steps_in_process" => TaskState::StepsInProcess,
            "evaluating_results" => TaskState::EvaluatingResults,
            "waiting_for_retry" => TaskState::WaitingForRetry,
            "complete" => TaskState::Complete,
            "error" => TaskState::Error,
            "cancelled" => TaskState::Cancelled,
            "resolved_manually" => TaskState::ResolvedManually,
            other => return Err(TaskerError::MalformedMessage(format!("unknown task state {other:?}"))),
        })
    }
}

impl FromStr for StepState {
    type Err = TaskerError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(StepState::Pending),
            "enqueued" => Ok(StepState::Enqueued),
            "in_progress" => Ok(StepState::InProgress),
            "complete" => Ok(StepState::Complete),
            "error" => Ok(StepState::Error),
            "cancelled" => Ok(StepState::Cancelled),
            other => Err(TaskerError::MalformedMessage(format!("unknown step state {other:?}"))),
        }
    }
}

/// A task state with the history of transitions that led to it.
///
/// ```ignore
/// let mut task = TaskStateMachine::new();
/// task.fire(TaskEvent::Start)?;
/// assert_eq!(task.state(), TaskState::Initializing);
/// ```
#[derive(Debug, Clone)]
pub struct TaskStateMachine {
    state: TaskState,
    history: Vec<(TaskState, TaskState)>,
}

impl Default for TaskStateMachine {
    fn default() -> Self {
        Self::new()
    }
}

impl TaskStateMachine {
    pub fn new() -> Self {
        TaskStateMachine { state: TaskState::Pending, history: Vec::new() }
    }

    pub fn state(&self) -> TaskState {
        self.state
    }

    pub fn history(&self) -> &[(TaskState, TaskState)] {
        &self.history
    }

    /// Apply an event and record the transition; the state is unchanged on error.
    pub fn fire(&mut self, event: TaskEvent) -> TaskerResult<TaskState> {
        let next = self.state.transition(event)?;
        self.history.push((self.state, next));
        self.state = next;
        Ok(next)
    }

    /// How many times the task went back to enqueuing after a retryable failure.
    pub fn retry_count(&self) -> usize {
        self.history
            .iter()
            .filter(|(from, to)| *from == TaskState::WaitingForRetry && *to == TaskState::EnqueuingSteps)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn happy_path_reaches_complete() {
        let mut sm = TaskStateMachine::new();
        for event in [
            TaskEvent::Start,
            TaskEvent::Initialized,
            TaskEvent::StepsEnqueued,
            TaskEvent::StepCompleted,
            TaskEvent::AllStepsComplete,
        ] {
            sm.fire(event).unwrap();
        }
        assert_eq!(sm.state(), TaskState::Complete);
        assert_eq!(sm.history().len(), 5);
    }

    #[test]
    fn complete_tasks_cannot_be_cancelled() {
        let err = TaskState::Complete.transition(TaskEvent::Cancel).unwrap_err();
        assert_eq!(err.code(), "invalid_transition");
    }

    #[test]
    fn retryable_failure_waits_for_retry() {
        let next = TaskState::StepsInProcess.transition(TaskEvent::StepFailed { retryable: true });
        assert_eq!(next, Ok(TaskState::WaitingForRetry));
    }

    #[test]
    fn step_lifecycle_rejects_skipping_in_progress() {
        assert!(StepState::Enqueued.advance(StepState::Complete).is_err());
        assert_eq!(StepState::Pending.advance(StepState::Enqueued), Ok(StepState::Enqueued));
    }

    #[test]
    fn task_states_round_trip_through_strings() {
        for state in [TaskState::Pending, TaskState::WaitingForRetry, TaskState::ResolvedManually] {
            assert_eq!(state.to_string().parse::<TaskState>(), Ok(state));
        }
    }

    #[test]
    #[ignore = "exhaustive table check; slow, run before releases"]
    fn every_state_event_pair_is_decided() {
        let states = [TaskState::Pending, TaskState::Initializing, TaskState::Error];
        let events = [TaskEvent::Start, TaskEvent::Cancel, TaskEvent::RetryReady];
        for s in states {
            for e in events {
                let _ = s.transition(e);
            }
        }
    }
}
