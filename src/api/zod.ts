// The project's one way in to zod: zod/mini, whose functional API lets the bundler keep only the
// validators we use, with zod's English messages. Classic zod cost the worker ~10 MiB and ~15 ms
// at start-up (docs/adr/0005-zod-mini.md). Import it as a namespace (`import * as z`) so the
// bundler can still drop what is unused.
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

export * from "zod/mini";
