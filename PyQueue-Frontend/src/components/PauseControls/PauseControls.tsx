import { errorMessage } from "../../api/errors";
import { usePauseQueue, usePauseType, useQueueState, useTypeStates } from "../../hooks/useControl";
import { PauseControlsView } from "./PauseControlsView";

/** The pause panel: data and actions for {@link PauseControlsView}. */
export function PauseControls() {
  const queue = useQueueState();
  const types = useTypeStates();
  const pauseQueue = usePauseQueue();
  const pauseType = usePauseType();
  const failed = queue.error ?? types.error;
  const busy = pauseQueue.isPending ? "" : pauseType.isPending ? (pauseType.variables?.name ?? "") : null;
  return (
    <PauseControlsView
      queue={queue.data}
      types={types.data}
      error={failed ? errorMessage(failed) : null}
      busy={busy}
      onQueue={(paused) => pauseQueue.mutate(paused)}
      onType={(name, paused) => pauseType.mutate({ name, paused })}
    />
  );
}
