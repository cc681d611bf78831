//! Apply one step result to its step: completion, retry with backoff, or permanent failure.

use std::time::Duration;

use super::message_handler::{StepResultMessage, StepStatus};
use super::processing_context::ProcessingContext;
use crate::config::TaskerConfig;
use crate::error::{TaskerError, TaskerResult};
use crate::state_machine::StepState;

/// What applying a result did to the step.
#[derive(Debug, Clone, PartialEq)]
pub enum TransitionOutcome {
    Completed,
    Retrying { backoff: Duration, attempt: u32 },
    Failed { error: String },
    Duplicate,
}

/// Apply `message` to its step in `context`.
pub fn apply_result(
    context: &mut ProcessingContext,
    message: &StepResultMessage,
    config: &TaskerConfig,
) -> TaskerResult<TransitionOutcome> {
    let step = context.step_mut(message.step_id)?;
    if message.attempt < step.attempts {
        // A late delivery of an earlier attempt: the newer attempt decides.
        return Ok(TransitionOutcome::Duplicate);
    }
    if step.state == StepState::Complete {
        return if message.status == StepStatus::Success {
            Ok(TransitionOutcome::Duplicate)
        } else {
            Err(TaskerError::InvalidTransition {
                from: "complete".into(),
                to: format!("{:?}", message.status),
            })
        };
    }
    if step.state == StepState::Enqueued {
        step.state = step.state.advance(StepState::InProgress)?;
    }
    step.attempts = message.attempt;
    match &message.status {
        StepStatus::Success => {
            step.state = step.state.advance(StepState::Complete)?;
            step.result = message.payload.clone();
            step.last_error = None;
            Ok(TransitionOutcome::Completed)
        }
        StepStatus::RetryableError(error) => {
            step.state = step.state.advance(StepState::Error)?;
            step.last_error = Some(error.clone());
            if message.attempt >= config.max_retries {
                step.attempts = u32::MAX;
                return Ok(TransitionOutcome::Failed {
                    error: format!("{error} (gave up after {} attempts)", message.attempt),
                });
            }
            Ok(TransitionOutcome::Retrying {
                backoff: config.backoff_for(message.attempt),
                attempt: message.attempt + 1,
            })
        }
        StepStatus::PermanentError(error) => {
            step.state = step.state.advance(StepState::Error)?;
            step.last_error = Some(error.clone());
            step.attempts = u32::MAX;
            Ok(TransitionOutcome::Failed { error: error.clone() })
        }
        StepStatus::Cancelled => {
            step.state = step.state.advance(StepState::Cancelled)?;
            Ok(TransitionOutcome::Failed { error: "cancelled by worker".into() })
        }
    }
}
