// An informer's list, in pages (the API server's `limit` and `continue`), keeping each object as
// its page arrives: a relist of 5,000 worker pods then holds one page of full objects at a time,
// not 5,000 of them. 500 is client-go's pager size.
import type { KubernetesListObject, KubernetesObject, V1ListMeta } from "@kubernetes/client-node";
import { keepReporting, type Keep, type KeepProblem } from "./keep.ts";

export const listPageSize = 500;

export interface ListPage {
  limit: number;
  continueToken: string | undefined;
}

export interface ListedPage {
  items: readonly unknown[];
  resourceVersion: string | undefined;
  continueToken: string | undefined;
}

/** The `_continue` parameter of client-node's list calls, absent for the first page. */
export function continueFrom(token: string | undefined): { _continue?: string } {
  return token === undefined ? {} : { _continue: token };
}

/** Adapts one of client-node's typed lists. */
export function listedPage(list: { items: readonly unknown[]; metadata?: V1ListMeta }): ListedPage {
  return { items: list.items, resourceVersion: list.metadata?.resourceVersion, continueToken: list.metadata?._continue };
}

export async function listKept<T extends KubernetesObject>(
  list: (page: ListPage) => Promise<ListedPage>,
  keep: Keep<T>,
  report: (problem: KeepProblem) => void,
  pageSize = listPageSize,
): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  let resourceVersion: string | undefined;
  let continueToken: string | undefined;
  do {
    const page = await list({ limit: pageSize, continueToken });
    for (const raw of page.items) {
      const kept = keepReporting(keep, raw, report);
      if (kept !== undefined) items.push(kept);
    }
    // Every page of one list is served from the same snapshot, so any page's version is the list's.
    resourceVersion = page.resourceVersion;
    continueToken = page.continueToken === "" ? undefined : page.continueToken;
  } while (continueToken !== undefined);
  return { apiVersion: "v1", kind: "List", metadata: resourceVersion === undefined ? {} : { resourceVersion }, items };
}
