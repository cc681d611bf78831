//! StepEnqueuerActor: enqueues ready steps in batches, respecting the concurrency limit.

use std::collections::VecDeque;

use super::Actor;
use crate::error::{TaskerError, TaskerResult};
use crate::state_machine::StepState;
use crate::{StepId, TaskId};

/// Moves ready steps to the worker queue.
pub struct StepEnqueuerActor {
    max_in_flight: usize,
    in_flight: usize,
    queue: VecDeque<(TaskId, StepId)>,
    running: bool,
}

impl StepEnqueuerActor {
    pub fn new(max_in_flight: usize) -> Self {
        StepEnqueuerActor { max_in_flight, in_flight: 0, queue: VecDeque::new(), running: true }
    }

    /// Enqueue as many of `steps` as the limit allows; returns the ids enqueued.
    pub fn enqueue_batch(
        &mut self,
        task: TaskId,
        steps: &mut [(StepId, StepState)],
    ) -> TaskerResult<Vec<StepId>> {
        if !self.running {
            return Err(TaskerError::Internal("step enqueuer is stopped".into()));
        }
        let mut enqueued = Vec::new();
        for (id, state) in steps.iter_mut() {
            if !state.is_ready() {
                continue;
            }
            if self.in_flight >= self.max_in_flight {
                if enqueued.is_empty() {
                    return Err(TaskerError::Capacity(self.max_in_flight));
                }
                break;
            }
            *state = state.advance(StepState::Enqueued)?;
            self.queue.push_back((task, *id));
            self.in_flight += 1;
            enqueued.push(*id);
        }
        Ok(enqueued)
    }

    /// A worker finished a step: free its slot.
    pub fn release(&mut self) -> TaskerResult<()> {
        self.in_flight = self
            .in_flight
            .checked_sub(1)
            .ok_or_else(|| TaskerError::Internal("release without enqueue".into()))?;
        Ok(())
    }

    pub fn next_for_worker(&mut self) -> Option<(TaskId, StepId)> {
        self.queue.pop_front()
    }
}

impl Actor for StepEnqueuerActor {
    fn name(&self) -> &'static str {
        "step_enqueuer"
    }

    fn is_running(&self) -> bool {
        self.running
    }

    fn stop(&mut self) {
        self.running = false;
    }
}
