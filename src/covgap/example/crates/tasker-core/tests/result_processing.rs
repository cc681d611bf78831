//! End-to-end test of result processing: a three-step workflow driven by wire messages.

use tasker_core::config::TaskerConfig;
use tasker_core::events::EventBus;
use tasker_core::result_processing::{
    HandlerOutcome, MessageHandler, NextAction, ProcessingContext, TaskCoordinator,
};
use tasker_core::state_machine::TaskState;

fn workflow() -> (MessageHandler, TaskCoordinator) {
    let coordinator = TaskCoordinator::new(TaskerConfig::default());
    let context =
        ProcessingContext::new(7, &[(1, "validate", vec![]), (2, "charge", vec![1]), (3, "notify", vec![2])])
            .unwrap();
    assert_eq!(coordinator.register(context).unwrap(), vec![1]);
    (MessageHandler::new(coordinator.clone(), EventBus::new()), coordinator)
}

#[test]
fn three_step_workflow_completes() {
    let (mut handler, coordinator) = workflow();
    let outcome = handler.handle_raw("task=7;step=1;attempt=1;status=success;payload=ok").unwrap();
    assert_eq!(outcome, HandlerOutcome::Processed(NextAction::EnqueueSteps(vec![2])));
    handler.handle_raw("task=7;step=2;attempt=1;status=retryable_error;error=timeout").unwrap();
    handler.handle_raw("task=7;step=2;attempt=2;status=success;duration_ms=40").unwrap();
    let last = handler.handle_raw("task=7;step=3;attempt=1;status=success").unwrap();
    assert_eq!(last, HandlerOutcome::Processed(NextAction::Finalized(TaskState::Complete)));
    assert_eq!(coordinator.task_state(7).unwrap(), Some(TaskState::Complete));
    assert_eq!(handler.stats().retries_scheduled, 1);
}

#[test]
fn malformed_messages_are_dead_lettered() {
    let (mut handler, _) = workflow();
    let (outcomes, error) = handler.handle_batch("task=7;step=1\nnot a message\ntask=99;step=1;attempt=1;status=success\n");
    assert!(error.is_none());
    assert_eq!(outcomes.len(), 3);
    assert_eq!(handler.dead_letters().len(), 3);
}
