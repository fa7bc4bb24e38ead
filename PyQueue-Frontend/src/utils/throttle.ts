/** Calls `fn` at most once per `wait` ms (first call at once, the last one of a burst after). */
export function throttle(fn: () => void, wait: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending = false;
  let last = 0;

  const run = () => {
    last = Date.now();
    pending = false;
    fn();
  };

  const throttled = () => {
    const remaining = wait - (Date.now() - last);
    if (remaining <= 0 && timer === null) {
      run();
      return;
    }
    pending = true;
    if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        if (pending) run();
      }, Math.max(remaining, 0));
    }
  };
  throttled.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = false;
  };
  return throttled;
}
