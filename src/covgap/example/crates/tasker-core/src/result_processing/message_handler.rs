//! Parse, validate and dispatch the step result messages that workers send back.
//!
//! Wire format, one message per line, `;`-separated `key=value` fields:
//!
//! ```text
//! task=42;step=3;attempt=1;status=success;payload={"rows":12}
//! task=42;step=4;attempt=2;status=retryable_error;error=connection reset
//! ```

use std::collections::HashMap;

use super::task_coordinator::{NextAction, TaskCoordinator};
use crate::error::{TaskerError, TaskerResult};
use crate::events::{EventBus, LifecycleEvent};
use crate::state_machine::TaskState;
use crate::{StepId, TaskId};

/// Largest payload accepted from a worker, in bytes.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// How a step attempt ended, as reported by the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum StepStatus {
    Success,
    RetryableError(String),
    PermanentError(String),
    Cancelled,
}

/// One parsed step result.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResultMessage {
    pub task_id: TaskId,
    pub step_id: StepId,
    pub attempt: u32,
    pub status: StepStatus,
    pub payload: Option<String>,
    pub duration_ms: u64,
}

impl StepResultMessage {
    /// Parse one wire line.
    pub fn parse(line: &str) -> TaskerResult<StepResultMessage> {
        let line = line.trim();
        if line.is_empty() {
            return Err(TaskerError::MalformedMessage("empty message".into()));
        }
        let mut fields: HashMap<&str, &str> = HashMap::new();
        for part in line.split(';') {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| TaskerError::MalformedMessage(format!("field without '=': {part:?}")))?;
            if fields.insert(key.trim(), value).is_some() {
                return Err(TaskerError::MalformedMessage(format!("field {key} given twice")));
            }
        }
        let required = |key: &str| {
            fields
                .get(key)
                .copied()
                .ok_or_else(|| TaskerError::MalformedMessage(format!("missing field {key}")))
        };
        let task_id: TaskId = required("task")?.parse()?;
        let step_id: StepId = required("step")?.parse()?;
        let attempt: u32 = required("attempt")?
            .parse()
            .map_err(|e| TaskerError::MalformedMessage(format!("attempt: {e}")))?;
        if attempt == 0 {
            return Err(TaskerError::MalformedMessage("attempt numbers start at 1".into()));
        }
        let error = fields.get("error").map(|e| e.to_string());
        let status = match required("status")? {
            "success" => StepStatus::Success,
            "retryable_error" => StepStatus::RetryableError(error.unwrap_or_else(|| "unspecified".into())),
            "permanent_error" => StepStatus::PermanentError(
                error.ok_or_else(|| TaskerError::MalformedMessage("permanent_error needs an error field".into()))?,
            ),
            "cancelled" => StepStatus::Cancelled,
            other => return Err(TaskerError::MalformedMessage(format!("unknown status {other:?}"))),
        };
        let payload = fields.get("payload").map(|p| p.to_string());
        if let Some(p) = &payload {
            if p.len() > MAX_PAYLOAD_BYTES {
                return Err(TaskerError::MalformedMessage(format!(
                    "payload of {} bytes exceeds {MAX_PAYLOAD_BYTES}",
                    p.len()
                )));
            }
            if status != StepStatus::Success {
                return Err(TaskerError::MalformedMessage("only successful results carry a payload".into()));
            }
        }
        let duration_ms = match fields.get("duration_ms") {
            Some(d) => d.parse()?,
            None => 0,
        };
        Ok(StepResultMessage { task_id, step_id, attempt, status, payload, duration_ms })
    }
}

/// What handling one message led to.
#[derive(Debug, Clone, PartialEq)]
pub enum HandlerOutcome {
    Processed(NextAction),
    DeadLettered { reason: String },
}

/// Counters of the handler, for metrics and health checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandlerStats {
    pub processed: u64,
    pub dead_lettered: u64,
    pub retries_scheduled: u64,
    pub tasks_finalized: u64,
}

/// Receives step results and drives the task coordinator.
pub struct MessageHandler {
    coordinator: TaskCoordinator,
    events: EventBus,
    stats: HandlerStats,
    dead_letters: Vec<(String, String)>,
}

impl MessageHandler {
    pub fn new(coordinator: TaskCoordinator, events: EventBus) -> Self {
        MessageHandler { coordinator, events, stats: HandlerStats::default(), dead_letters: Vec::new() }
    }

    pub fn stats(&self) -> &HandlerStats {
        &self.stats
    }

    pub fn dead_letters(&self) -> &[(String, String)] {
        &self.dead_letters
    }

    /// Handle one raw message. Malformed messages and unknown tasks are dead-lettered
    /// (they will never succeed); other errors are returned for the caller to retry.
    pub fn handle_raw(&mut self, raw: &str) -> TaskerResult<HandlerOutcome> {
        let message = match StepResultMessage::parse(raw) {
            Ok(message) => message,
            Err(err) => return Ok(self.dead_letter(raw, err)),
        };
        match self.coordinator.process(&message) {
            Ok(action) => {
                self.stats.processed += 1;
                self.publish(&message, &action);
                Ok(HandlerOutcome::Processed(action))
            }
            Err(err @ TaskerError::NotFound(_)) => Ok(self.dead_letter(raw, err)),
            Err(err @ TaskerError::InvalidTransition { .. }) => Ok(self.dead_letter(raw, err)),
            Err(err) => Err(err),
        }
    }

    /// Handle a batch; one bad message does not stop the others. Returns the outcomes
    /// and the first retryable error, if any.
    pub fn handle_batch(&mut self, batch: &str) -> (Vec<HandlerOutcome>, Option<TaskerError>) {
        let mut outcomes = Vec::new();
        let mut first_error = None;
        for line in batch.lines().filter(|l| !l.trim().is_empty()) {
            match self.handle_raw(line) {
                Ok(outcome) => outcomes.push(outcome),
                Err(err) if err.is_retryable() => {
                    if first_error.is_none() {
                        first_error = Some(err);
                    }
                }
                Err(err) => outcomes.push(self.dead_letter(line, err)),
            }
        }
        (outcomes, first_error)
    }

    fn dead_letter(&mut self, raw: &str, err: TaskerError) -> HandlerOutcome {
        self.stats.dead_lettered += 1;
        let reason = err.to_string();
        self.dead_letters.push((raw.to_string(), reason.clone()));
        HandlerOutcome::DeadLettered { reason }
    }

    fn publish(&mut self, message: &StepResultMessage, action: &NextAction) {
        match &message.status {
            StepStatus::Success => {
                self.events.publish(&LifecycleEvent::StepCompleted {
                    task: message.task_id,
                    step: message.step_id,
                    duration_ms: message.duration_ms,
                });
            }
            StepStatus::RetryableError(error) | StepStatus::PermanentError(error) => {
                self.events.publish(&LifecycleEvent::StepFailed {
                    task: message.task_id,
                    step: message.step_id,
                    error: error.clone(),
                    attempt: message.attempt,
                });
            }
            StepStatus::Cancelled => {}
        }
        match action {
            NextAction::RetryAfter { .. } => self.stats.retries_scheduled += 1,
            NextAction::Finalized(state) => {
                self.stats.tasks_finalized += 1;
                self.events.publish(&LifecycleEvent::TaskFinalized { task: message.task_id, state: *state });
                if *state == TaskState::Error {
                    self.events.publish(&LifecycleEvent::TaskTransitioned {
                        task: message.task_id,
                        from: TaskState::EvaluatingResults,
                        to: TaskState::Error,
                    });
                }
            }
            NextAction::EnqueueSteps(_) | NextAction::Wait | NextAction::Ignored => {}
        }
    }
}
