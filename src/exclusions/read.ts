// Exclusion lists, as mounted into worker pods: one subdirectory per ConfigMap labelled
// eraser.sh/exclude.list=true, each `*.json` key a file holding {"excluded": [patterns]}.
// Any problem fails closed: the caller removes nothing rather than guess what was meant.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import * as z from "../api/zod.ts";
import { compileImagePattern } from "../images/match.ts";

export class ExclusionListError extends Error {
  override readonly name = "ExclusionListError";
  readonly file: string;
  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`exclusion list ${file}: ${problem}; removing nothing`, options);
    this.file = file;
  }
}

const ExclusionListSchema = z.object({ excluded: z.array(z.string().check(z.minLength(1, "a pattern must not be empty"))) });

/** Parses one exclusion list; `source` names it in errors. */
export function parseExclusionList(text: string, source: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ExclusionListError(source, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = ExclusionListSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ExclusionListError(source, `must be {"excluded": ["<pattern>", ...]}: ${z.prettifyError(parsed.error)}`);
  }
  for (const pattern of parsed.data.excluded) {
    try {
      compileImagePattern(pattern);
    } catch (error) {
      throw new ExclusionListError(source, (error as Error).message, { cause: error });
    }
  }
  return parsed.data.excluded;
}

/** Reads every list under `dir` (one level of ConfigMap subdirectories, or files directly). */
export async function readExclusionDirectory(dir: string): Promise<string[]> {
  const files = await listJsonFiles(dir);
  const patterns = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new ExclusionListError(file, `cannot be read (${(error as Error).message})`, { cause: error });
    }
    for (const pattern of parseExclusionList(text, file)) patterns.add(pattern);
  }
  return [...patterns];
}

async function listJsonFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const name of await visibleEntries(dir)) {
    const path = join(dir, name);
    // ConfigMap volumes hold symlinks (`key -> ..data/key`): stat follows them.
    const info = await statOrFail(path);
    if (info.isDirectory()) {
      for (const child of await visibleEntries(path)) {
        if (child.endsWith(".json")) files.push(join(path, child));
      }
    } else if (name.endsWith(".json")) {
      files.push(path);
    }
  }
  return files.sort();
}

/** Entries except the kubelet's own `..data` / `..<timestamp>` bookkeeping. */
async function visibleEntries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => !name.startsWith(".."));
  } catch (error) {
    throw new ExclusionListError(dir, `cannot be listed (${(error as Error).message})`, { cause: error });
  }
}

async function statOrFail(path: string): Promise<Awaited<ReturnType<typeof stat>>> {
  try {
    return await stat(path);
  } catch (error) {
    throw new ExclusionListError(path, `cannot be read (${(error as Error).message})`, { cause: error });
  }
}
