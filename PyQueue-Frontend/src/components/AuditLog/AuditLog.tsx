import { keepPreviousData, useIsMutating, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { errorMessage } from "../../api/errors";
import { listAudit } from "../../api/operations";
import { useNow } from "../../hooks/useNow";
import { queryKeys } from "../../hooks/queryKeys";
import { useWhoAmI } from "../../hooks/useRole";
import { AuditLogView } from "./AuditLogView";

export const AUDIT_PAGE_SIZE = 20;
/** Other clients' changes show up within this many milliseconds. */
const AUDIT_POLL = 10_000;

/** The audit log panel, for the admin token only (the server refuses it to a read-only one). */
export function AuditLog() {
  const who = useWhoAmI();
  const admin = who.data?.role === "admin";
  const [page, setPage] = useState(1);
  const offset = (page - 1) * AUDIT_PAGE_SIZE;
  const audit = useQuery({
    queryKey: queryKeys.audit(AUDIT_PAGE_SIZE, offset),
    queryFn: () => listAudit(AUDIT_PAGE_SIZE, offset),
    enabled: admin,
    placeholderData: keepPreviousData,
    refetchInterval: AUDIT_POLL,
  });
  const now = useNow(5000);
  // A change made from this dashboard appears as soon as it is done.
  const mutating = useIsMutating();
  const { refetch } = audit;
  useEffect(() => {
    if (admin && mutating === 0) void refetch();
  }, [admin, mutating, refetch]);

  if (!admin) return null;
  return (
    <AuditLogView
      entries={audit.data?.items}
      total={audit.data?.total ?? 0}
      page={page}
      pageSize={AUDIT_PAGE_SIZE}
      now={now}
      error={audit.isError ? errorMessage(audit.error) : null}
      onPage={setPage}
    />
  );
}
