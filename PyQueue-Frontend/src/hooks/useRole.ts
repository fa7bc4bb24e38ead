/** Who the dashboard's token is: admin (may change anything) or readonly (may only read). */
import { useQuery } from "@tanstack/react-query";
import { getWhoAmI } from "../api/operations";
import { queryKeys } from "./queryKeys";

export function useWhoAmI() {
  // Asked again whenever every query is invalidated (a new token was saved).
  return useQuery({ queryKey: queryKeys.whoami(), queryFn: getWhoAmI, staleTime: Infinity });
}

/**
 * True when the token may only read: the buttons that change something are disabled (the server
 * would answer 403). While the role is unknown nothing is disabled; the server decides anyway.
 */
export function useReadOnly(): boolean {
  return useWhoAmI().data?.role === "readonly";
}

export const READ_ONLY_HINT = "Read-only token: changes need the admin token";
