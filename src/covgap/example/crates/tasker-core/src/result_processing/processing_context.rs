//! The state of one task while its step results are processed.

use std::collections::{BTreeMap, HashSet};

use crate::error::{TaskerError, TaskerResult};
use crate::state_machine::{StepState, TaskEvent, TaskStateMachine};
use crate::{StepId, TaskId};

/// One step of the task.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    pub name: String,
    pub state: StepState,
    pub attempts: u32,
    pub depends_on: Vec<StepId>,
    pub result: Option<String>,
    pub last_error: Option<String>,
}

/// Everything result processing knows about a task.
#[derive(Debug, Clone)]
pub struct ProcessingContext {
    pub task_id: TaskId,
    pub machine: TaskStateMachine,
    pub steps: BTreeMap<StepId, StepRecord>,
}

impl ProcessingContext {
    /// Build the context of a task from its steps `(id, name, dependencies)`.
    pub fn new(task_id: TaskId, steps: &[(StepId, &str, Vec<StepId>)]) -> TaskerResult<Self> {
        let ids: HashSet<StepId> = steps.iter().map(|(id, _, _)| *id).collect();
        if ids.len() != steps.len() {
            return Err(TaskerError::MalformedMessage(format!("task {task_id}: duplicate step ids")));
        }
        let mut records = BTreeMap::new();
        for (id, name, deps) in steps {
            if let Some(missing) = deps.iter().find(|d| !ids.contains(d)) {
                return Err(TaskerError::NotFound(format!("step {missing} (dependency of {name})")));
            }
            records.insert(
                *id,
                StepRecord {
                    name: name.to_string(),
                    state: StepState::Pending,
                    attempts: 0,
                    depends_on: deps.clone(),
                    result: None,
                    last_error: None,
                },
            );
        }
        let mut machine = TaskStateMachine::new();
        machine.fire(TaskEvent::Start)?;
        machine.fire(TaskEvent::Initialized)?;
        Ok(ProcessingContext { task_id, machine, steps: records })
    }

    pub fn step_mut(&mut self, step: StepId) -> TaskerResult<&mut StepRecord> {
        let task = self.task_id;
        self.steps
            .get_mut(&step)
            .ok_or_else(|| TaskerError::NotFound(format!("step {step} of task {task}")))
    }

    /// Steps whose dependencies are all complete and that may be enqueued.
    pub fn ready_steps(&self) -> Vec<StepId> {
        self.steps
            .iter()
            .filter(|(_, record)| record.state.is_ready())
            .filter(|(_, record)| {
                record.depends_on.iter().all(|dep| {
                    self.steps.get(dep).map(|d| d.state == StepState::Complete).unwrap_or(false)
                })
            })
            .map(|(id, _)| *id)
            .collect()
    }

    /// Whether every step reached a final state.
    pub fn all_settled(&self) -> bool {
        self.steps
            .values()
            .all(|s| matches!(s.state, StepState::Complete | StepState::Cancelled) || s.state == StepState::Error && s.attempts == u32::MAX)
    }

    pub fn all_complete(&self) -> bool {
        self.steps.values().all(|s| s.state == StepState::Complete)
    }

    /// Steps in error, with their last error message.
    pub fn failures(&self) -> Vec<(StepId, String)> {
        self.steps
            .iter()
            .filter(|(_, s)| s.state == StepState::Error)
            .map(|(id, s)| (*id, s.last_error.clone().unwrap_or_else(|| "unknown error".to_string())))
            .collect()
    }

    /// Cancel every step that has not finished; returns how many were cancelled.
    pub fn cancel_open_steps(&mut self) -> usize {
        let mut cancelled = 0;
        for record in self.steps.values_mut() {
            if let Ok(next) = record.state.advance(StepState::Cancelled) {
                record.state = next;
                cancelled += 1;
            }
        }
        cancelled
    }
}
