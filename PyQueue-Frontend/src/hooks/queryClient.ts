/** The QueryClient with the global error handler: every failed request is shown to the user. */
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError, errorMessage } from "../api/errors";
import { toast } from "./toast";

declare module "@tanstack/react-query" {
  interface Register {
    mutationMeta: { action?: string; silent?: boolean };
    queryMeta: { silent?: boolean };
  }
}

function isClientError(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        // 401 opens the token prompt; 404 of one task is shown in its panel.
        if (query.meta?.silent || (error instanceof ApiError && (error.status === 401 || error.status === 404))) return;
        toast.error(`Could not load data: ${errorMessage(error)}`);
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (mutation.meta?.silent || (error instanceof ApiError && error.status === 401)) return;
        toast.error(`${mutation.meta?.action ?? "Action"} failed: ${errorMessage(error)}`);
      },
    }),
    defaultOptions: {
      queries: {
        retry: (count, error) => !isClientError(error) && count < 2,
        staleTime: 1000,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}
