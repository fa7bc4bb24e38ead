/** The operations endpoints (who am I, the audit log): each returns data or throws an ApiError. */
import { call, client } from "./client";
import type { components } from "./schema.gen";

export type WhoAmI = components["schemas"]["WhoAmIOut"];
export type Role = WhoAmI["role"];
export type AuditEntry = components["schemas"]["AuditOut"];

export interface AuditPage {
  items: AuditEntry[];
  total: number;
}

export async function getWhoAmI(): Promise<WhoAmI> {
  return (await call(client.GET("/api/whoami"))).data;
}

export async function listAudit(limit: number, offset: number): Promise<AuditPage> {
  const { data, response } = await call(client.GET("/api/audit", { params: { query: { limit, offset } } }));
  const total = Number(response.headers.get("X-Total-Count") ?? offset + data.length);
  return { items: data, total: Number.isFinite(total) ? total : data.length };
}
