/** Count what an action would affect, ask for confirmation stating the count, then act. */
import { errorMessage } from "../api/errors";
import { type ConfirmOptions, useConfirm } from "../components/ConfirmDialog/ConfirmDialog";
import { toast } from "./toast";

export interface ConfirmWithCount {
  /** How many items the action would affect (e.g. a filtered count from the server). */
  count: () => Promise<number>;
  /** Toast prefix when counting fails, e.g. "Could not count tasks". */
  countError: string;
  /** Toast when there is nothing to act on. */
  empty: string;
  /** The confirmation dialog for `count` (> 0) items. */
  dialog: (count: number) => ConfirmOptions;
  /** Runs once the user confirms. */
  onConfirm: (count: number) => void;
}

/** Returns a function that runs the flow; nothing happens without a count > 0 and a confirmation. */
export function useConfirmWithCount(flow: ConfirmWithCount): () => Promise<void> {
  const confirm = useConfirm();
  return async () => {
    let count: number;
    try {
      count = await flow.count();
    } catch (error) {
      toast.error(`${flow.countError}: ${errorMessage(error)}`);
      return;
    }
    if (count === 0) {
      toast.info(flow.empty);
      return;
    }
    if (await confirm(flow.dialog(count))) flow.onConfirm(count);
  };
}
