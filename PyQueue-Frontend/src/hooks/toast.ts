/** A tiny toast store usable from anywhere (query callbacks included). */
import { createStore, useStore } from "../utils/store";

export type ToastKind = "success" | "error" | "info";

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

const DURATION: Record<ToastKind, number> = { success: 4000, info: 4000, error: 8000 };
const MAX_TOASTS = 5;

const toasts = createStore<Toast[]>([]);
let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export function dismissToast(id: number): void {
  const timer = timers.get(id);
  if (timer) clearTimeout(timer);
  timers.delete(id);
  toasts.update((current) => current.filter((t) => t.id !== id));
}

function show(kind: ToastKind, message: string): number {
  const duplicate = toasts.get().find((t) => t.kind === kind && t.message === message);
  if (duplicate) return duplicate.id;
  const id = nextId++;
  const next = [...toasts.get(), { id, kind, message }];
  for (const dropped of next.slice(0, Math.max(0, next.length - MAX_TOASTS))) dismissToast(dropped.id);
  toasts.set(next.slice(-MAX_TOASTS));
  timers.set(
    id,
    setTimeout(() => dismissToast(id), DURATION[kind]),
  );
  return id;
}

export const toast = {
  success: (message: string) => show("success", message),
  error: (message: string) => show("error", message),
  info: (message: string) => show("info", message),
};

export function clearToasts(): void {
  for (const timer of timers.values()) clearTimeout(timer);
  timers.clear();
  toasts.set([]);
}

export function useToasts(): Toast[] {
  return useStore(toasts);
}
